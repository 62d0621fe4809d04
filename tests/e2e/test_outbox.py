"""The developer outbox lists what was sent through moto, with links, everything escaped."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from devstack.environment import DEFAULT_SENDER, REGION
from tests.e2e.local_stack import RunningStack, get_json, get_text


@pytest.fixture
def aws(stack: RunningStack) -> Any:
    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=stack.options.moto_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


def test_the_outbox_shows_a_sent_sms_and_email_with_clickable_links(
    stack: RunningStack, aws: Any
) -> None:
    marker = uuid.uuid4().hex
    aws("sns").publish(
        PhoneNumber="+33612345678",
        Message=f"Your consultation {marker}: https://example.test/x. <b>now</b>",
    )
    aws("ses").send_email(
        Source=DEFAULT_SENDER,
        Destination={"ToAddresses": ["patient@example.test"]},
        Message={
            "Subject": {"Data": f"Sign in {marker}"},
            "Body": {"Text": {"Data": "Open https://example.test/y?token=a&lang=fr to join"}},
        },
    )

    page = get_text(stack.options.outbox_url)

    assert marker in page
    assert '<a href="https://example.test/x" rel="noreferrer">https://example.test/x</a>.' in page
    assert '<a href="https://example.test/y?token=a&amp;lang=fr"' in page
    assert "+33612345678" in page
    assert "patient@example.test" in page
    assert "&lt;b&gt;now&lt;/b&gt;" in page
    assert "<b>now</b>" not in page


def test_an_html_email_is_rendered_in_a_frame_that_runs_no_script(
    stack: RunningStack, aws: Any
) -> None:
    marker = uuid.uuid4().hex
    aws("ses").send_email(
        Source=DEFAULT_SENDER,
        Destination={"ToAddresses": ["patient@example.test"]},
        Message={
            "Subject": {"Data": f"Invitation {marker}"},
            "Body": {"Html": {"Data": f'<p id="{marker}">Hi</p><script>alert(1)</script>'}},
        },
    )

    page = get_text(stack.options.outbox_url)

    frame = page[page.index(f'title="Invitation {marker} (HTML)"') :].split("</iframe>")[0]
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in frame
    assert "allow-scripts" not in frame
    assert f"&lt;p id=&quot;{marker}&quot;&gt;Hi&lt;/p&gt;" in frame
    assert "<script>" not in page


def test_the_outbox_json_lists_messages_newest_first(stack: RunningStack, aws: Any) -> None:
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    for marker in (first, second):
        aws("sns").publish(PhoneNumber="+33612345678", Message=marker)

    outbox = get_json(f"{stack.options.outbox_url}.json")

    bodies = [sms["body"] for sms in outbox["sms"]]
    assert bodies.index(second) < bodies.index(first)
    assert set(outbox) == {"sms", "emails"}
