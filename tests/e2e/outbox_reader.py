"""Reads what the local stack sent from its developer outbox (`/dev/outbox.json`).

The outbox lists SMS and emails newest first, each with `to` and `body`; these helpers find
the newest message to an address, and the link in it, waiting a little for it to arrive.
"""

from __future__ import annotations

import re
import time
from typing import Any, Literal

from tests.e2e.local_stack import RunningStack, get_json

Kind = Literal["sms", "emails"]
WAIT_SECONDS = 10.0


def messages_to(stack: RunningStack, kind: Kind, address: str) -> list[dict[str, Any]]:
    """The messages of `kind` sent to `address`, newest first."""
    sent: list[dict[str, Any]] = get_json(f"{stack.options.outbox_url}.json")[kind]
    return [message for message in sent if address in message["to"]]


def wait_for_message(
    stack: RunningStack, kind: Kind, address: str, *, after: int = 0
) -> dict[str, Any]:
    """The newest message to `address` once there are more than `after` of them."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = messages_to(stack, kind, address)
        if len(found) > after:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no new {kind} message to the address in the outbox")
        time.sleep(0.2)


def link_in(message: dict[str, Any], pattern: re.Pattern[str]) -> str:
    match = pattern.search(message["body"])
    assert match is not None, message["body"]
    return match.group(0)
