"""`web/shared/realtime.js` in a real browser: heartbeats, and reconnection on its own.

A signed-in clinician's page opens a channel whose tickets come from `POST /api/ws-tickets`,
as the clinic pages do. The page's `WebSocket` is wrapped to record every frame each socket
sends and receives, so the tests can tell on which connection a message went out, and how
many times. The server side cuts connections through the Management API emulation
(`DELETE /@connections/{id}`), as API Gateway does at its idle and 2-hour limits.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from chalice import Chalice
from playwright.sync_api import Browser, BrowserContext, Page

from chalicelib.store.models import Connection
from devstack.demo import CLINIC_ID, CLINICIAN_ID
from tests.e2e.clinic_pages import sign_in
from tests.e2e.local_stack import RunningStack

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000

#: Opens a channel in the page, with `options.timing`; `window.realtimeTest` holds it and
#: the record: tickets asked for, state events, and each socket's frames in both directions.
OPEN_CHANNEL = """async (options) => {
  const { RealtimeChannel } = await import('/shared/realtime.js');
  const { openSession } = await import('/clinic/session.js');
  const session = await openSession();
  const log = { tickets: 0, events: [], sockets: [], deaf: false };
  const Native = window.WebSocket;
  window.WebSocket = class RecordedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      this.record = { sent: [], received: [] };
      log.sockets.push(this.record);
      this.addEventListener('message', (event) => {
        this.record.received.push(JSON.parse(event.data));
      });
    }
    send(data) {
      this.record.sent.push(JSON.parse(data));
      super.send(data);
    }
    addEventListener(type, listener, ...rest) {
      // `log.deaf`: the page hears nothing more, as over a connection that died silently.
      const heard = type === 'message' ? (event) => log.deaf || listener(event) : listener;
      super.addEventListener(type, heard, ...rest);
    }
  };
  const channel = new RealtimeChannel({
    url: options.url,
    ticket: async () => {
      log.tickets += 1;
      if (options.refuseFirstTicket && log.tickets === 1) return 'not-a-ticket';
      return (await session.call('POST', '/api/ws-tickets', {})).ticket;
    },
    ...options.timing,
  });
  for (const name of ['connected', 'reconnecting', 'closed']) {
    channel.addEventListener(name, () => log.events.push(name));
  }
  window.realtimeTest = { channel, log };
  const late = new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`not connected: ${JSON.stringify(log)}`)), 8000);
  });
  await Promise.race([channel.open(), late]);
}"""


@pytest.fixture(scope="module")
def clinician(stack: RunningStack, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, stack)
    page.close()
    yield context
    context.close()


@pytest.fixture
def page(clinician: BrowserContext, stack: RunningStack) -> Iterator[Page]:
    opened = clinician.new_page()
    opened.goto(f"{stack.options.front_url}/clinic/sign-in.html")
    yield opened
    opened.evaluate("() => window.realtimeTest && window.realtimeTest.channel.close()")
    opened.close()


def clinician_connections() -> set[str]:
    return {
        connection.connection_id
        for connection in Connection.by_clinic_staff.query(CLINIC_ID)
        if connection.principal_id == CLINICIAN_ID
    }


def new_connection(before: set[str]) -> str:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        fresh = clinician_connections() - before
        if fresh:
            (connection_id,) = fresh
            return connection_id
        time.sleep(0.1)
    raise AssertionError("no new connection was recorded")


def forgotten(connection_id: str) -> bool:
    """Whether the connection's record goes away (its `$disconnect` ran) within the timeout."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while connection_id in clinician_connections():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def open_channel(page: Page, stack: RunningStack, **options: Any) -> None:
    page.evaluate(OPEN_CHANNEL, {"url": stack.options.websocket_url, **options})


def record(page: Page) -> dict[str, Any]:
    log: dict[str, Any] = page.evaluate("() => window.realtimeTest.log")
    return log


def wait_for_state(page: Page, state: str) -> None:
    page.wait_for_function(
        "(state) => window.realtimeTest.channel.state === state", arg=state, timeout=TIMEOUT_MS
    )


def frames_with_id(frames: list[dict[str, Any]], frame_id: str) -> list[dict[str, Any]]:
    return [frame for frame in frames if frame.get("id") == frame_id]


def test_a_connection_cut_by_the_server_comes_back_with_a_new_ticket_and_sends_the_gap_once(
    page: Page, stack: RunningStack, stack_app: Chalice, management_client: Any
) -> None:
    before = clinician_connections()
    # A long enough backoff (0.75 to 1.5 s) that the page really is between connections.
    open_channel(page, stack, timing={"initialBackoffMs": 1500, "maxBackoffMs": 1500})
    first = new_connection(before)

    management_client.delete_connection(ConnectionId=first)
    wait_for_state(page, "reconnecting")
    gap_id = page.evaluate(
        """() => {
          const channel = window.realtimeTest.channel;
          const id = String(channel.nextId);
          window.gapReply = channel.request('ping', {});
          return id;
        }"""
    )
    reply = page.evaluate("() => window.gapReply")
    second = new_connection(before | {first})

    log = record(page)
    assert reply == {"type": "pong", "id": gap_id}
    assert log["tickets"] == 2
    assert log["events"] == ["connected", "reconnecting", "connected"]
    assert second != first and forgotten(first)
    cut, renewed = log["sockets"]
    assert frames_with_id(cut["sent"], gap_id) == []
    assert frames_with_id(renewed["sent"], gap_id) == [{"type": "ping", "id": gap_id}]
    assert frames_with_id(renewed["received"], gap_id) == [{"type": "pong", "id": gap_id}]


def test_a_refused_ticket_is_followed_by_another_attempt_with_a_fresh_one(
    page: Page, stack: RunningStack, stack_app: Chalice
) -> None:
    before = clinician_connections()
    open_channel(
        page,
        stack,
        refuseFirstTicket=True,
        timing={"initialBackoffMs": 200, "maxBackoffMs": 200},
    )
    new_connection(before)

    log = record(page)
    assert log["tickets"] == 2
    assert log["events"] == ["reconnecting", "connected"]
    assert len(log["sockets"]) == 2


def test_the_channel_pings_on_its_heartbeat_and_each_ping_is_answered(
    page: Page, stack: RunningStack
) -> None:
    open_channel(page, stack, timing={"heartbeatMs": 200})
    page.wait_for_function(
        "() => window.realtimeTest.log.sockets[0].received.length >= 3", timeout=TIMEOUT_MS
    )

    (socket,) = record(page)["sockets"]
    pings = [frame for frame in socket["sent"] if frame["type"] == "ping"]
    assert len(pings) >= 3
    answered = {frame["id"] for frame in socket["received"] if frame["type"] == "pong"}
    assert {ping["id"] for ping in pings[:3]} <= answered


def test_a_ping_left_unanswered_starts_a_new_connection(
    page: Page, stack: RunningStack, stack_app: Chalice
) -> None:
    before = clinician_connections()
    timing = {"heartbeatMs": 300, "requestTimeoutMs": 500, "initialBackoffMs": 200}
    open_channel(page, stack, timing=timing)
    first = new_connection(before)

    page.evaluate("() => { window.realtimeTest.log.deaf = true; }")
    page.wait_for_function("() => window.realtimeTest.log.tickets === 2", timeout=TIMEOUT_MS)
    page.evaluate("() => { window.realtimeTest.log.deaf = false; }")
    wait_for_state(page, "connected")

    assert record(page)["events"][:3] == ["connected", "reconnecting", "connected"]
    assert forgotten(first)  # the silent connection was closed, not left open


def test_closing_the_channel_stops_it_for_good(page: Page, stack: RunningStack) -> None:
    open_channel(page, stack, timing={"initialBackoffMs": 100, "maxBackoffMs": 100})
    page.evaluate("() => window.realtimeTest.channel.close()")
    page.wait_for_timeout(500)

    log = record(page)
    assert log["events"] == ["connected", "closed"]
    assert log["tickets"] == 1


def test_the_backoff_doubles_up_to_its_ceiling_with_jitter_in_the_upper_half(
    page: Page,
) -> None:
    delays = page.evaluate(
        """async () => {
          const { backoffDelay } = await import('/shared/realtime.js');
          const timing = { initialMs: 1000, maxMs: 30000 };
          return [0, 1, 2, 5, 10].map((attempt) => [
            backoffDelay(attempt, { ...timing, random: () => 0 }),
            backoffDelay(attempt, { ...timing, random: () => 0.999999 }),
          ]);
        }"""
    )

    assert delays == [[500, 1000], [1000, 2000], [2000, 4000], [15000, 30000], [15000, 30000]]
