"""TEMPORARY stand-in for `chalicelib.consent.terms.shown_terms` until the consent branch
lands; deleted then."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from chalicelib.store.models import Clinic


@dataclass(frozen=True)
class ShownTerms:
    version: int
    language: str
    text: str
    sha256: str


def shown_terms(clinic: Clinic, language: str) -> ShownTerms:
    text = "Terms of use and data protection notice."
    return ShownTerms(
        version=int(clinic.terms_version or 0),
        language=language,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
