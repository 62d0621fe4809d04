"""Tells the clinicians that a patient is still waiting after the appointment time.

Entering the waiting room arms the consultation's late notice (`presence.move_into_waiting`:
`due_at` = the appointment time, or now if later, unless one is armed). The minute sweeper
(`chalicelib.consultations.due_work`) hands the due consultation here: while someone is
still waiting, each assigned clinician gets an email (or, with the clinic's
`late_notice_channel` "sms", an SMS to the clinicians who gave a `phone` and an email to
the others), and the notice moves `late_notice_interval_minutes` later, until a clinician
opens the consultation (`seen`) or presses Start. Each notice is claimed before it goes
out by the conditional move of `due_at` that also counts it (`late_notices_sent`), so a
second sweeper or a retried Lambda sends nothing twice: that claim is this notice's ledger
entry (the participants' `DeliveryLedger` keys on a participant; a clinician is not one).
Notices name no patient; logs hold no address or number.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.clock import Clock
from chalicelib.consultations import due_work, queries
from chalicelib.errors import NotFound
from chalicelib.messaging import compose
from chalicelib.messaging.email import EmailSender
from chalicelib.messaging.provider_errors import SendRefused
from chalicelib.messaging.sms import SmsSender
from chalicelib.observability import logger
from chalicelib.store.enums import ConsultationStatus, Presence
from chalicelib.store.models import CONSULTATION_SK, Clinic, Clinician, Consultation
from chalicelib.waiting_room.estimate import Slot

EMAIL = "email"
SMS = "sms"


class LateNotices:
    def __init__(
        self,
        *,
        clock: Clock,
        email: EmailSender | None,
        sms: SmsSender | None,
        public_base_url: str | None,
    ) -> None:
        self._clock = clock
        self._email = email
        self._sms = sms
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
        by_sms = str(clinic.settings.late_notice_channel or EMAIL) == SMS and self._sms is not None
        ok = True
        link = f"{self._base_url}/clinic/consultation.html?id={consultation.consultation_id}"
        counts = {EMAIL: 0, SMS: 0}
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
            composed = compose.late_notice(occasion, minutes)
            channel = SMS if by_sms and clinician.phone else EMAIL
            try:
                if channel == SMS and self._sms is not None:
                    self._sms.send(str(clinician.phone), composed.sms)
                elif self._email is not None:
                    self._email.send(clinician.email, composed.email)
                else:
                    logger.warning("late notice not sent: no sender address")
                    ok = False
                    continue
            except SendRefused as refused:
                logger.warning(
                    "late notice failed", extra={"reason": refused.reason, "channel": channel}
                )
                ok = False
                continue
            counts[channel] += 1
        logger.info("late notice sent", extra={"number": number, "by": counts})
        return ok


def _over(consultation: Consultation, now: datetime) -> bool:
    slot = Slot.of(consultation)
    return now >= slot.starts_at + slot.duration + timedelta(hours=2)
