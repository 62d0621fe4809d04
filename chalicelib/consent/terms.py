"""A clinic's terms and data-protection notice: versioned, one text per language.

Version 0 is the product's default text, one per catalogue language (the `terms.default`
message). A clinic that writes its own saves version 1, 2, ...: a `ClinicTerms` item written
once, and the clinic's `terms_version` moved to it in the same transaction, both under
conditions, so two clinicians saving at once never overwrite each other: the second is told
that a new version appeared meanwhile. A version gives a text for every catalogue language;
a language the clinic left out shows the default text.

What a participant is shown is `shown_terms`: the current version's text in their language
and the SHA-256 of exactly that text, which the consent record keeps.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from chalicelib.clock import Clock
from chalicelib.consultations.transactions import ConsultationTransaction
from chalicelib.errors import Conflict, InvalidField
from chalicelib.i18n import catalogue
from chalicelib.store.models import Clinic, ClinicTerms

#: The longest terms text a clinic may save, per language (a DynamoDB item holds 400 KB).
MAX_TEXT_LENGTH = 15_000
DEFAULT_TEXT_KEY = "terms.default"


@dataclass(frozen=True)
class ShownTerms:
    version: int
    language: str
    text: str
    sha256: str


@dataclass(frozen=True)
class TermsVersion:
    version: int
    texts: dict[str, str]
    created_at: datetime | None
    created_by: str | None


class TermsChangedMeanwhile(Conflict):
    code = "terms_changed"


def digest(text: str) -> str:
    """The SHA-256 of the text's UTF-8 bytes, in hex: what the page shows and the record keeps."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_texts(clinic_name: str) -> dict[str, str]:
    """The product's default terms in every catalogue language, naming the clinic."""
    return {
        language: catalogue.text(language, DEFAULT_TEXT_KEY, clinic=clinic_name)
        for language in catalogue.available_languages()
    }


def shown_terms(clinic: Clinic, language: str) -> ShownTerms:
    """The clinic's current terms in `language` (a language without a text: the default)."""
    version = int(clinic.terms_version or 0)
    texts = _texts_of(clinic.clinic_id, version)
    chosen = catalogue.supported(language)
    text = texts.get(chosen) or catalogue.text(chosen, DEFAULT_TEXT_KEY, clinic=clinic.name)
    return ShownTerms(version=version, language=chosen, text=text, sha256=digest(text))


def versions_of(clinic: Clinic) -> list[TermsVersion]:
    """Every version the clinic saved, newest first, then the default as version 0."""
    saved = [
        TermsVersion(
            version=int(item.version),
            texts={**default_texts(clinic.name), **_stored_texts(item)},
            created_at=item.created_at,
            created_by=item.created_by,
        )
        for item in ClinicTerms.query(clinic.clinic_id, scan_index_forward=False)
    ]
    return [*saved, TermsVersion(0, default_texts(clinic.name), None, None)]


class TermsEditor:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def save_new_version(
        self, clinic: Clinic, texts: dict[str, str], *, clinician_id: str
    ) -> TermsVersion:
        """Saves `texts` as the clinic's next version and makes it current."""
        cleaned = _checked(texts)
        current = int(clinic.terms_version or 0)
        version = current + 1
        item = ClinicTerms(
            clinic_id=clinic.clinic_id,
            version=version,
            texts=cleaned,
            created_at=self._clock.now(),
            created_by=clinician_id,
        )
        unchanged = Clinic.terms_version == current
        if not current:
            unchanged = unchanged | Clinic.terms_version.does_not_exist()
        with ConsultationTransaction(on_condition=_changed_meanwhile) as transaction:
            transaction.save(item, condition=ClinicTerms.version.does_not_exist())
            transaction.update(
                clinic, actions=[Clinic.terms_version.set(version)], condition=unchanged
            )
        clinic.terms_version = version
        return TermsVersion(
            version=version,
            texts={**default_texts(clinic.name), **cleaned},
            created_at=item.created_at,
            created_by=clinician_id,
        )


def _changed_meanwhile() -> TermsChangedMeanwhile:
    return TermsChangedMeanwhile(
        "someone saved a new version of the terms meanwhile: reload them and try again"
    )


def _texts_of(clinic_id: str, version: int) -> dict[str, str]:
    if version == 0:
        return {}
    try:
        return _stored_texts(ClinicTerms.get(clinic_id, version))
    except ClinicTerms.DoesNotExist:
        return {}


def _stored_texts(item: ClinicTerms) -> dict[str, str]:
    stored: dict[str, str] = item.texts.as_dict()  # type: ignore[no-untyped-call]
    return stored


def _checked(texts: dict[str, str]) -> dict[str, str]:
    if not texts:
        raise InvalidField("texts", "give the terms' text in at least one language")
    cleaned: dict[str, str] = {}
    for language, text in texts.items():
        if language not in catalogue.available_languages():
            known = ", ".join(catalogue.available_languages())
            raise InvalidField("texts", f"{language!r} is not one of our languages ({known})")
        stripped = text.strip()
        if not stripped:
            raise InvalidField("texts", f"the {language} text is empty")
        if len(stripped) > MAX_TEXT_LENGTH:
            raise InvalidField(
                "texts", f"the {language} text is longer than {MAX_TEXT_LENGTH} characters"
            )
        cleaned[language] = stripped
    return cleaned
