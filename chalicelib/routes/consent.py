"""Terms and consent over HTTP: a participant accepts and reads their receipt; a clinician
reads who accepted what, and the clinic saves new versions of its terms.

`chalicelib.consent` does the work. Participants are scoped to their own consultation by
their session; clinicians to their clinic (another clinic's consultation is a 404).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.consent.records import consent_frame
from chalicelib.consent.terms import TermsVersion, versions_of
from chalicelib.errors import NotFound
from chalicelib.i18n.languages import Language
from chalicelib.participants.links import COOKIE_NAME
from chalicelib.participants.standing import ParticipantStanding
from chalicelib.routes.clinician_api import answer, body_of, iso, signed_in
from chalicelib.routes.clinician_auth import session_token_of
from chalicelib.routes.consent_bodies import (
    ConsentAnswer,
    ConsentBody,
    ConsentsAnswer,
    NewTermsBody,
    ReceiptAnswer,
    TermsAnswer,
    TermsVersionAnswer,
)
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.routes.request_body import decode
from chalicelib.store.enums import ParticipantRole
from chalicelib.store.models import Clinic, ConsentRecord
from chalicelib.waiting_room.frames import participant_frame
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

#: A text per catalogue language, each at most `MAX_TEXT_LENGTH` characters.
MAX_TERMS_BODY_BYTES = 256 * 1024


@operation(
    blueprint,
    "POST",
    "/api/participant/consents",
    summary="Accept the clinic's terms as shown (version, SHA-256 of the text, language). "
    "Accepting the same version again answers the existing record (200).",
    body=ConsentBody,
    answers={
        201: answer_of("Accepted: the receipt.", ReceiptAnswer),
        200: answer_of("Already accepted: the receipt.", ReceiptAnswer),
        **errors(400, 401, e409="`terms_changed`: the terms are no longer these; reload them."),
    },
    security=Security.PARTICIPANT,
)
def accept_terms() -> Response:
    request = blueprint.current_request
    standing = _standing()
    body = body_of(blueprint, ConsentBody)
    clinic = _clinic(standing.consultation.clinic_id)
    accepted = services().consents.accept(
        clinic=clinic,
        consultation=standing.consultation,
        participant=standing.participant,
        version=body.terms_version,
        sha256=body.sha256,
        language=str(body.language),
        user_agent=request.headers.get("user-agent"),
    )
    if accepted.created:  # the dashboard sees the participant's new place and the record
        services().room_broadcast.to_room(
            clinic.clinic_id,
            standing.consultation.consultation_id,
            participant_frame(standing.consultation.consultation_id, accepted.participant),
            consent_frame(accepted.record),
        )
    receipt = _receipt(clinic, standing, accepted.record)
    return answer(receipt, 201 if accepted.created else 200)


@operation(
    blueprint,
    "GET",
    "/api/participant/consents/latest",
    summary="The participant's latest acceptance: a receipt with the text, its hash and time.",
    answers={200: answer_of("The receipt.", ReceiptAnswer), **errors(401, 404)},
    security=Security.PARTICIPANT,
)
def receipt() -> Response:
    standing = _standing()
    record = services().consents.latest_of(
        standing.consultation.consultation_id, standing.participant.participant_id
    )
    return answer(_receipt(_clinic(standing.consultation.clinic_id), standing, record))


@operation(
    blueprint,
    "GET",
    "/api/consultations/{consultation_id}/consents",
    summary="Who in the consultation accepted which terms version, when, in which language.",
    answers={200: answer_of("Newest first.", ConsentsAnswer), **errors(401, 404)},
    security=Security.SESSION,
)
def consents_of(consultation_id: str) -> Response:
    record = services().consultations.get(signed_in(blueprint), consultation_id)
    people = {participant.participant_id: participant for participant in record.participants}
    rows = []
    for consent in services().consents.of_consultation(consultation_id):
        person = people.get(consent.participant_id)
        rows.append(
            ConsentAnswer(
                participant_id=consent.participant_id,
                display_name=person.display_name if person else None,
                role=ParticipantRole(person.role) if person else None,
                terms_version=int(consent.terms_version),
                language=Language(consent.language),
                sha256=consent.sha256,
                accepted_at=consent.accepted_at.isoformat(),
                user_agent=consent.user_agent,
            )
        )
    return answer(ConsentsAnswer(consents=rows))


@operation(
    blueprint,
    "GET",
    "/api/clinic/terms",
    summary="The clinic's terms: the current version and every version with its texts.",
    answers={200: answer_of("Newest first; version 0 is the default.", TermsAnswer), **errors(401)},
    security=Security.SESSION,
)
def clinic_terms() -> Response:
    clinic = _clinic(signed_in(blueprint).clinic_id)
    return answer(_terms_answer(clinic))


@operation(
    blueprint,
    "POST",
    "/api/clinic/terms",
    summary="Save new terms as the clinic's next version (never an edit in place); a language "
    "left out shows the default text.",
    body=NewTermsBody,
    answers={
        201: answer_of("The new version is current.", TermsAnswer),
        **errors(400, 401, 403, e409="`terms_changed`: another version was saved meanwhile."),
    },
    security=Security.SESSION_AND_CSRF,
)
def save_terms() -> Response:
    principal = signed_in(blueprint)
    body = decode(blueprint.current_request, NewTermsBody, max_bytes=MAX_TERMS_BODY_BYTES)
    clinic = _clinic(principal.clinic_id)
    services().terms.save_new_version(
        clinic,
        {str(language): text for language, text in body.texts.items()},
        clinician_id=principal.id,
    )
    return answer(_terms_answer(clinic), 201)


def _standing() -> ParticipantStanding:
    token = session_token_of(blueprint.current_request, COOKIE_NAME)
    return services().participant_links.resume_standing(token)


def _clinic(clinic_id: str) -> Clinic:
    try:
        return Clinic.get(clinic_id)
    except Clinic.DoesNotExist:
        raise NotFound("the clinic no longer exists") from None


def _receipt(clinic: Clinic, standing: ParticipantStanding, record: ConsentRecord) -> ReceiptAnswer:
    consultation = standing.consultation
    return ReceiptAnswer(
        clinic_name=clinic.name,
        participant_display_name=standing.participant.display_name,
        consultation_starts_at=iso(consultation.starts_at),
        time_zone=consultation.time_zone,
        terms_version=int(record.terms_version),
        language=Language(record.language),
        text=record.text,
        sha256=record.sha256,
        accepted_at=record.accepted_at.isoformat(),
    )


def _terms_answer(clinic: Clinic) -> TermsAnswer:
    return TermsAnswer(
        current_version=int(clinic.terms_version or 0),
        versions=[_version_answer(version) for version in versions_of(clinic)],
    )


def _version_answer(version: TermsVersion) -> TermsVersionAnswer:
    return TermsVersionAnswer(
        version=version.version,
        created_at=iso(version.created_at),
        created_by=version.created_by,
        texts={Language(language): text for language, text in version.texts.items()},
    )
