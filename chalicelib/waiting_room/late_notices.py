"""Tells the clinicians that a patient is still waiting after the appointment time.

Entering the waiting room arms the consultation's late notice (`presence.move_into_waiting`:
`due_at` = the appointment time, or now if later, unless one is armed). The minute sweeper
(`chalicelib.consultations.due_work`) hands the due consultation here: while someone is
still waiting, each assigned clinician gets an email (or, with the clinic's
`late_notice_channel` "sms", an email too until clinicians have phone numbers), and the
notice moves `late_notice_interval_minutes` later, until a clinician opens the consultation
(`seen`) or presses Start. Each notice is claimed before it goes out by the conditional
move of `due_at` that also counts it (`late_notices_sent`), so a second sweeper or a
retried Lambda sends nothing twice. Notices name no patient; logs hold no address.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.clock import Clock
from chalicelib.consultations import due_work, queries
from chalicelib.errors import NotFound
from chalicelib.messaging import compose
from chalicelib.messaging.email import EmailSender
from chalicelib.messaging.provider_errors import SendRefused
from chalicelib.observability import logger
from chalicelib.store.enums import ConsultationStatus, Presence
from chalicelib.store.models import CONSULTATION_SK, Clinic, Clinician, Consultation
from chalicelib.waiting_room.estimate import Slot

EMAIL = "email"


class LateNotices:
    def __init__(
        self, *, clock: Clock, email: EmailSender | None, public_base_url: str | None
    ) -> None:
        self._clock = clock
        self._email = email
        self._base_url = public_base_url or ""

    def handle(self, consultation_id: str, sk: str, now: datetime) -> bool:
        """Handle one consultation's due late notice; False when a send failed."""
        if sk != CONSULTATION_SK:
            return True
        try:
            room = queries.load_waiting_room(consultation_id)
        except NotFound:
            return True
        consultation = room.consultation
        due_at = consultation.due_at
        if due_at is None or due_at > now:
            return True  # handled meanwhile, or not due yet
        waiting = [p for p in room.participants if p.presence == Presence.WAITING]
        if (
            consultation.status != ConsultationStatus.SCHEDULED
            or consultation.started_at is not None
            or not waiting
            or _over(consultation, now)
        ):
            due_work.clear(consultation, due_at)
            return True
        clinic = Clinic.get(consultation.clinic_id)
        interval = timedelta(minutes=int(clinic.settings.late_notice_interval_minutes))
        sent = int(consultation.late_notices_sent or 0)
        claimed = due_work.reschedule(
            consultation, due_at, now + interval, Consultation.late_notices_sent.set(sent + 1)
        )
        if not claimed:
            return True  # another run sent this one
        since = min(p.waiting_since or now for p in waiting)
        minutes = max(0, int((now - since).total_seconds() // 60))
        return self._notify(clinic, consultation, minutes, number=sent + 1)

    def _notify(
        self, clinic: Clinic, consultation: Consultation, minutes: int, number: int
    ) -> bool:
        channel = str(clinic.settings.late_notice_channel or EMAIL)
        if channel != EMAIL:
            logger.info("late notice by email: clinicians have no phone", extra={"asked": channel})
        if self._email is None:
            logger.warning("late notice not sent: no sender address")
            return False
        ok = True
        link = f"{self._base_url}/clinic/consultation.html?id={consultation.consultation_id}"
        for clinician in Clinician.batch_get(list(consultation.clinician_ids)):
            if not clinician.active:
                continue
            occasion = compose.Occasion(
                clinic_name=clinic.name,
                starts_at=consultation.starts_at or self._clock.now(),
                time_zone=consultation.time_zone,
                language=clinician.language,
                link=link,
            )
            try:
                self._email.send(clinician.email, compose.late_notice(occasion, minutes).email)
            except SendRefused as refused:
                logger.warning("late notice failed", extra={"reason": refused.reason})
                ok = False
        logger.info("late notice sent", extra={"number": number, "channel": EMAIL})
        return ok


def _over(consultation: Consultation, now: datetime) -> bool:
    slot = Slot.of(consultation)
    return now >= slot.starts_at + slot.duration + timedelta(hours=2)
