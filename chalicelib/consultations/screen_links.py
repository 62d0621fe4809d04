"""A participant's personal link to show on the clinician's screen, with its QR code.

For whoever is in the room with the clinician (a relative at the desk, an interpreter on
the phone) the quickest way in is to scan a code from the screen. Only a link's hash is
stored, so an invitation already sent cannot be shown again: showing issues a new link for
the participant, which leaves the links already sent working. When the consultation needs
an access code the new link gets its own code, returned to be shown (or read out) with it.
Every issue is audited, without the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib import audit
from chalicelib.auth.principals import Principal
from chalicelib.clock import Clock
from chalicelib.consultations.schedule import Consultations
from chalicelib.errors import Conflict
from chalicelib.messaging.qr import qr_svg
from chalicelib.participants import access_codes
from chalicelib.participants.link_delivery import LinkIssuer
from chalicelib.participants.links import link_end

AUDIT_ACTION = "participant_link.shown"


@dataclass(frozen=True)
class ScreenLink:
    url: str
    qr_svg: str
    access_code: str | None
    not_after: datetime


class ScreenLinks:
    def __init__(self, *, consultations: Consultations, links: LinkIssuer, clock: Clock) -> None:
        self._consultations = consultations
        self._links = links
        self._clock = clock

    def issue(self, principal: Principal, consultation_id: str, participant_id: str) -> ScreenLink:
        record = self._consultations.get_scheduled(principal, consultation_id)
        consultation, participant = record.consultation, record.participant(participant_id)
        clinic = self._consultations.clinic_of(principal)
        end = link_end(consultation, clinic)
        if end <= self._clock.now():
            raise Conflict("the consultation has ended")
        code = access_codes.new_code() if consultation.access_code_required else None
        url = self._links.issue_link(consultation, participant, clinic=clinic, access_code=code)
        audit.record(
            AUDIT_ACTION,
            principal,
            now=self._clock.now(),
            consultation_id=consultation_id,
            details={"participant_id": participant_id, "with_access_code": code is not None},
        )
        return ScreenLink(url=url, qr_svg=qr_svg(url), access_code=code, not_after=end)
