"""Sends a participant's invitation (their personal link) on one channel, at most once.

The link comes from a `LinkIssuer` (`chalicelib.participant_links`); the courier composes,
claims the send in its ledger and records the outcome on the participant, where
`GET /api/consultations/{id}` shows it. A client that retries a request passes the same
`attempt` and nothing is sent twice; `resend` takes the next attempt number, and another
channel is its own ledger entry. When the consultation requires an access code, each sent
invitation gets a new link with a new code, and the code goes on the other channel
(`chalicelib.access_codes`); a participant without that channel is refused before
anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chalicelib import access_codes
from chalicelib.consultation_input import InvitationRequest
from chalicelib.consultations import Consultations
from chalicelib.models import Clinic, Consultation, Participant
from chalicelib.outbound.courier import Courier, Outcome
from chalicelib.outbound.ledger import SENT, next_attempt
from chalicelib.principals import Principal

PURPOSE = "invitation"


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
class Sent:
    invitation: Outcome
    access_code: Outcome | None = None


class Invitations:
    def __init__(
        self, *, consultations: Consultations, courier: Courier, links: LinkIssuer
    ) -> None:
        self._consultations = consultations
        self._courier = courier
        self._links = links

    def send(
        self,
        principal: Principal,
        consultation_id: str,
        participant_id: str,
        request: InvitationRequest,
    ) -> Sent:
        record = self._consultations.get_scheduled(principal, consultation_id)
        consultation, participant = record.consultation, record.participant(participant_id)
        code = access_codes.new_code() if consultation.access_code_required else None
        if code is not None:
            access_codes.other_channel(participant, request.channel)  # refuse before sending
        clinic = self._consultations.clinic_of(principal)
        attempt = request.attempt or (
            next_attempt(participant, request.channel, PURPOSE) if request.resend else 1
        )
        link = self._links.issue_link(consultation, participant, clinic=clinic, access_code=code)
        invitation = self._courier.send_invitation(
            consultation, participant, link, request.channel, clinic=clinic, attempt=attempt
        )
        if code is None or invitation.status != SENT:
            return Sent(invitation)
        code_channel = access_codes.other_channel(participant, request.channel)
        return Sent(
            invitation,
            access_codes.send_on_other_channel(
                self._courier,
                consultation,
                participant,
                code,
                link_channel=request.channel,
                clinic=clinic,
                attempt=next_attempt(participant, code_channel, "access_code"),
            ),
        )
