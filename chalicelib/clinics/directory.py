"""The signed-in clinician's clinic as its web UI needs it: what to offer in its forms.

Its name and time zone, the languages participants can be invited in, the channels the
clinic can send on (WhatsApp only where it is configured) and the active clinicians who
can be put on a consultation, read with one GetItem and one Query of `by_clinic`.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.auth.principals import Principal
from chalicelib.errors import NotFound
from chalicelib.i18n import catalogue
from chalicelib.store.enums import Channel
from chalicelib.store.models import Clinic, Clinician


@dataclass(frozen=True)
class Colleague:
    clinician_id: str
    display_name: str


@dataclass(frozen=True)
class ClinicProfile:
    clinic: Clinic
    languages: tuple[str, ...]
    channels: tuple[str, ...]
    clinicians: list[Colleague]


def profile_of(principal: Principal) -> ClinicProfile:
    try:
        clinic = Clinic.get(principal.clinic_id)
    except Clinic.DoesNotExist:
        raise NotFound("the clinician's clinic does not exist") from None
    return profile_with(clinic)


def profile_with(clinic: Clinic) -> ClinicProfile:
    """The profile of a clinic already read (as a settings change answers it)."""
    whatsapp = (Channel.WHATSAPP,) if clinic.settings.whatsapp_phone_number_id else ()
    colleagues = [
        Colleague(clinician.clinician_id, clinician.display_name)
        for clinician in Clinician.by_clinic.query(clinic.clinic_id)
        if clinician.active
    ]
    return ClinicProfile(
        clinic, catalogue.available_languages(), (Channel.SMS, Channel.EMAIL, *whatsapp), colleagues
    )
