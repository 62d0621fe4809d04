"""Request and answer bodies of the terms and consent routes, written once as Structs."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from chalicelib.consent.terms import MAX_TEXT_LENGTH
from chalicelib.i18n.languages import Language
from chalicelib.routes.response_bodies import Timestamp
from chalicelib.store.enums import ParticipantRole

Sha256 = Annotated[str, Meta(pattern="^[0-9a-fA-F]{64}$", description="Hex SHA-256.")]
TermsText = Annotated[str, Meta(min_length=1, max_length=MAX_TEXT_LENGTH)]


class ConsentBody(Struct, kw_only=True):
    """`POST /api/participant/consents`: the terms the page showed, as it showed them."""

    terms_version: Annotated[int, Meta(ge=0)]
    sha256: Sha256
    language: Language


class NewTermsBody(Struct, kw_only=True):
    """`POST /api/clinic/terms`: the new version's text per language (others: the default)."""

    texts: Annotated[dict[Language, TermsText], Meta(min_length=1)]


class ReceiptAnswer(Struct, kw_only=True):
    """What the participant accepted: a receipt they can print or save."""

    clinic_name: str
    participant_display_name: str
    consultation_starts_at: Timestamp | None
    time_zone: str
    terms_version: int
    language: Language
    text: str
    sha256: str
    accepted_at: Timestamp


class ConsentAnswer(Struct, kw_only=True):
    participant_id: str
    display_name: str | None
    role: ParticipantRole | None
    terms_version: int
    language: Language
    sha256: str
    accepted_at: Timestamp
    user_agent: str


class ConsentsAnswer(Struct, kw_only=True):
    """Every acceptance in the consultation, newest first."""

    consents: list[ConsentAnswer]


class TermsVersionAnswer(Struct, kw_only=True):
    version: int
    created_at: Timestamp | None
    created_by: str | None
    texts: dict[Language, str]


class TermsAnswer(Struct, kw_only=True):
    """The clinic's current version and every version, newest first (0 = the default)."""

    current_version: int
    versions: list[TermsVersionAnswer]
