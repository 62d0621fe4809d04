"""Who is acting: a clinician of a clinic, or a participant of one consultation.

Every read and write is scoped by a principal: a clinician to their clinic, a participant
(patient or guest) to their own consultation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PrincipalKind = Literal["clinician", "participant"]


@dataclass(frozen=True, kw_only=True)
class Principal:
    kind: PrincipalKind
    id: str
    clinic_id: str
    consultation_id: str | None = None

    @classmethod
    def of_clinician(cls, clinician_id: str, clinic_id: str) -> Principal:
        return cls(kind="clinician", id=clinician_id, clinic_id=clinic_id)

    def __post_init__(self) -> None:
        if self.kind == "participant" and self.consultation_id is None:
            raise ValueError("a participant principal belongs to one consultation")
