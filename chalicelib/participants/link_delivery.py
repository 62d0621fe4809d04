"""Sends a message that carries a participant's new personal link, and its access code.

Invitations and change notices both give the participant a fresh link from a `LinkIssuer`
(`chalicelib.participants.links` keeps only a link's hash, so a link is never sent twice).
When the consultation requires an access code, the link is issued with a new code and,
once the message with the link has gone out, the code follows on the other channel
(`chalicelib.participants.access_codes`): a participant without that channel is refused with
`InvalidField("access_code")` before any link is issued or anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from chalicelib.messaging.courier import Courier, Outcome
from chalicelib.messaging.ledger import next_attempt
from chalicelib.participants import access_codes
from chalicelib.store.enums import DeliveryStatus, MessagePurpose
from chalicelib.store.models import Clinic, Consultation, Participant


class LinkIssuer(Protocol):
    def issue_link(
        self,
        consultation: Consultation,
        participant: Participant,
        *,
        clinic: Clinic | None = None,
        access_code: str | None = None,
    ) -> str:
        """A new personal link that lets this participant join this consultation."""
        ...


@dataclass(frozen=True)
class LinkSent:
    """The outcome of the message with the link, and of its access code if one was sent."""

    message: Outcome
    access_code: Outcome | None = None


def send_with_link(
    courier: Courier,
    links: LinkIssuer,
    consultation: Consultation,
    participant: Participant,
    channel: str,
    *,
    clinic: Clinic,
    send: Callable[[str], Outcome],
) -> LinkSent:
    """Issue a link (with a code if required), `send(link)` on `channel`, then the code."""
    code = access_codes.new_code() if consultation.access_code_required else None
    if code is not None:
        access_codes.other_channel(participant, channel)  # refuse before sending
    link = links.issue_link(consultation, participant, clinic=clinic, access_code=code)
    message = send(link)
    if code is None or message.status != DeliveryStatus.SENT:
        return LinkSent(message)
    code_channel = access_codes.other_channel(participant, channel)
    return LinkSent(
        message,
        access_codes.send_on_other_channel(
            courier,
            consultation,
            participant,
            code,
            link_channel=channel,
            clinic=clinic,
            attempt=next_attempt(participant, code_channel, MessagePurpose.ACCESS_CODE),
        ),
    )
