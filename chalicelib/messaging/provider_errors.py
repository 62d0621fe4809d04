"""A provider's refusal to send, in our own terms, so only the senders know botocore.

The three senders (`sms`, `email`, `whatsapp`) are the adapters around SNS, SES and End User
Messaging Social. Each runs its call inside `refusals_as_send_refused()`, which turns a
botocore `ClientError` (SES `MessageRejected`, an invalid number, throttling) or a
`BotoCoreError` (an unreachable endpoint) into `SendRefused` with a short code: the
provider's error code, never its message, which may quote the address.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

MAX_REASON_LENGTH = 64


class SendRefused(Exception):
    """The provider did not take the message; `reason` is a short code, safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:MAX_REASON_LENGTH]


@contextmanager
def refusals_as_send_refused() -> Iterator[None]:
    """Within the block, a provider's refusal or an unreachable provider is `SendRefused`."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code") or "provider_error"
        raise SendRefused(str(code)) from None
    except BotoCoreError:
        raise SendRefused("provider_unreachable") from None
