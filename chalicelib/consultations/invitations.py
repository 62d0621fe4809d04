"""Sends a participant's invitation (their personal link) on one channel, at most once.

The link comes from a `LinkIssuer` (`chalicelib.participants.links`) through
`chalicelib.participants.link_delivery`, which also sends its access code; the courier composes,
claims the send in its ledger and records the outcome on the participant, where
`GET /api/consultations/{id}` shows it. A client that retries a request passes the same
`attempt` and nothing is sent twice; `resend` takes the next attempt number, and another
channel is its own ledger entry. When the consultation requires an access code, each sent
invitation gets a new link with a new code, and the code goes on the other channel
(`chalicelib.participants.access_codes`); a participant without that channel is refused before
anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.auth.principals import Principal
from chalicelib.consultations.parsing import InvitationRequest
from chalicelib.consultations.schedule import Consultations
from chalicelib.messaging.courier import Courier, Outcome
from chalicelib.messaging.ledger import next_attempt
from chalicelib.participants.link_delivery import LinkIssuer, send_with_link
from chalicelib.store.enums import MessagePurpose


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
        clinic = self._consultations.clinic_of(principal)
        attempt = request.attempt or (
            next_attempt(participant, request.channel, MessagePurpose.INVITATION)
            if request.resend
            else 1
        )
        sent = send_with_link(
            self._courier,
            self._links,
            consultation,
            participant,
            request.channel,
            clinic=clinic,
            send=lambda link: self._courier.send_invitation(
                consultation, participant, link, request.channel, clinic=clinic, attempt=attempt
            ),
        )
        return Sent(sent.message, sent.access_code)
