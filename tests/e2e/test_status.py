"""The status page's data: every component healthy, and the sweeper running on schedule."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.e2e.local_stack import RunningStack, get_text

COMPONENTS = {
    "moto",
    "rest_api",
    "websocket_gateway",
    "management_api",
    "sweeper",
    "web_ui",
    "outbox",
    "media_worker",
    "coturn",
}


def test_status_reports_every_component_healthy(stack: RunningStack) -> None:
    report = stack.status()

    assert {c["name"] for c in report["components"]} == COMPONENTS
    assert [c for c in report["components"] if not c["healthy"]] == []
    assert report["healthy"] is True


def test_the_media_worker_and_coturn_are_checked_live(stack: RunningStack) -> None:
    details = {c["name"]: c["detail"] for c in stack.status()["components"]}

    assert "/health and /ready answered 200; heartbeat" in details["media_worker"]
    assert "answered a STUN Binding Request" in details["coturn"]


def test_status_page_is_plain_html_with_an_es_module(stack: RunningStack) -> None:
    page = get_text(stack.options.status_url)

    assert "<h1>" in page
    assert '<script type="module" src="/dev/status.js">' in page


def test_the_sweeper_runs_on_its_interval_and_succeeds(stack: RunningStack) -> None:
    deadline = time.monotonic() + 10
    while (facts := stack.status()["sweeper"])["runs"] < 2 and time.monotonic() < deadline:
        time.sleep(0.5)

    assert facts["runs"] >= 2
    assert facts["last_run_ok"] is True
    last_run = datetime.fromisoformat(facts["last_run_at"])
    assert (datetime.now(UTC) - last_run).total_seconds() < 10
