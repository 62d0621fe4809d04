"""Consent records: a participant accepted the clinic's terms, written once and kept as is.

Accepting checks that the version and hash the page sends are those of the terms the
participant is shown now (`shown_terms`): terms saved meanwhile, or a language switched
after the text was loaded, is a `terms_changed` conflict and the page shows the new text.
The record keeps the exact text, its SHA-256, the language, the time and the browser's user
agent, under the key `<participant>#<version>`: one record per participant and version.

The record and the participant's `accepted_terms_version` (and their move from `invited` or
`link_opened` to `terms_accepted`) are one transaction under conditions: the record must not
exist and the participant's presence must be the one read, so two devices accepting at once
write one record, and the second is answered with it. Records expire with the
consultation's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.expressions.condition import Condition

from chalicelib.clock import Clock
from chalicelib.consent.terms import ShownTerms, TermsChangedMeanwhile, shown_terms
from chalicelib.consultations.transactions import ConsultationTransaction
from chalicelib.errors import Conflict, NotFound
from chalicelib.store.models import (
    Clinic,
    ConsentRecord,
    Consultation,
    ConsultationItem,
    Participant,
)

#: The presences that accepting the terms moves on; later ones keep their place.
BEFORE_TERMS = ("invited", "link_opened")
TERMS_ACCEPTED = "terms_accepted"
#: Tries when another request changed the participant between our read and our write.
ATTEMPTS = 3
#: User agents are kept for the record, cut to a sane length.
MAX_USER_AGENT = 512


@dataclass(frozen=True)
class Acceptance:
    record: ConsentRecord
    participant: Participant
    created: bool


#: The websocket frame that tells a consultation's clinicians of a new acceptance.
CONSENT_FRAME = "waiting_room.consent"


def consent_frame(record: ConsentRecord) -> dict[str, object]:
    """Who accepted which version, when: ids and times only, never the text or a name."""
    return {
        "type": CONSENT_FRAME,
        "consultation_id": record.consultation_id,
        "participant_id": record.participant_id,
        "terms_version": int(record.terms_version),
        "accepted_at": record.accepted_at.isoformat(),
    }


def record_key(participant_id: str, version: int) -> str:
    return f"{participant_id}#{version:06d}"


class ConsentBook:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def accept(
        self,
        *,
        clinic: Clinic,
        consultation: Consultation,
        participant: Participant,
        version: int,
        sha256: str,
        language: str,
        user_agent: str | None,
    ) -> Acceptance:
        shown = shown_terms(clinic, language)
        if (version, sha256.lower(), language) != (shown.version, shown.sha256, shown.language):
            raise TermsChangedMeanwhile(
                "these are no longer the clinic's terms: read the new text and accept it"
            )
        for _ in range(ATTEMPTS):
            existing = self._record_of(
                consultation.consultation_id, participant.participant_id, shown.version
            )
            if existing is not None:
                return Acceptance(existing, participant, created=False)
            written = self._write(clinic, consultation, participant, shown, user_agent)
            if written is not None:
                return Acceptance(written, participant, created=True)
            participant.refresh(consistent_read=True)
        raise Conflict("your acceptance could not be recorded; reload the page and try again")

    def _write(
        self,
        clinic: Clinic,
        consultation: Consultation,
        participant: Participant,
        shown: ShownTerms,
        user_agent: str | None,
    ) -> ConsentRecord | None:
        """One attempt: the record and the participant together; None if a condition failed."""
        record = self._new_record(clinic, consultation, participant, shown, user_agent)
        presence = participant.presence or "invited"
        new_presence = TERMS_ACCEPTED if presence in BEFORE_TERMS else presence
        try:
            with ConsultationTransaction(on_condition=lambda: _ConditionFailed("")) as transaction:
                transaction.save(record, condition=ConsentRecord.record_key.does_not_exist())
                transaction.update(
                    participant,
                    actions=[
                        Participant.accepted_terms_version.set(shown.version),
                        Participant.presence.set(new_presence),
                    ],
                    condition=_presence_is(presence),
                )
        except _ConditionFailed:
            return None
        participant.accepted_terms_version = shown.version
        participant.presence = new_presence
        return record

    def latest_of(self, consultation_id: str, participant_id: str) -> ConsentRecord:
        """The participant's most recent acceptance (their receipt); `NotFound` if none."""
        for record in ConsentRecord.query(
            consultation_id,
            ConsentRecord.record_key.startswith(f"{participant_id}#"),
            scan_index_forward=False,
            limit=1,
        ):
            return record
        raise NotFound("you have not accepted the terms of this consultation yet")

    def of_consultation(self, consultation_id: str) -> list[ConsentRecord]:
        """Every acceptance of the consultation's participants, newest first."""
        records = list(ConsentRecord.query(consultation_id))
        return sorted(records, key=lambda record: record.accepted_at, reverse=True)

    def _record_of(
        self, consultation_id: str, participant_id: str, version: int
    ) -> ConsentRecord | None:
        try:
            return ConsentRecord.get(
                consultation_id, record_key(participant_id, version), consistent_read=True
            )
        except ConsentRecord.DoesNotExist:
            return None

    def _new_record(
        self,
        clinic: Clinic,
        consultation: Consultation,
        participant: Participant,
        shown: ShownTerms,
        user_agent: str | None,
    ) -> ConsentRecord:
        return ConsentRecord(
            consultation_id=consultation.consultation_id,
            record_key=record_key(participant.participant_id, shown.version),
            clinic_id=clinic.clinic_id,
            participant_id=participant.participant_id,
            terms_version=shown.version,
            language=shown.language,
            text=shown.text,
            sha256=shown.sha256,
            user_agent=(user_agent or "unknown")[:MAX_USER_AGENT],
            accepted_at=self._clock.now(),
            expires_at=consultation.expires_at,
        )


def _presence_is(presence: str) -> Condition:
    """The participant still exists and is where it was read (an old item may lack presence)."""
    same = Participant.presence == presence
    if presence == "invited":
        same = same | Participant.presence.does_not_exist()
    condition: Condition = ConsultationItem.sk.exists() & same
    return condition


class _ConditionFailed(Conflict):
    """Another device or request changed the participant, or accepted, meanwhile."""
