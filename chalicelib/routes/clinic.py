"""The signed-in clinician's clinic: name, time zone, languages, channels and colleagues.

The clinic UI fills its forms from this; `chalicelib.clinics.directory` reads it.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.clinics.directory import profile_of
from chalicelib.i18n.languages import Language
from chalicelib.routes.clinician_api import answer, signed_in
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.routes.response_bodies import ClinicAnswer, ColleagueAnswer
from chalicelib.store.enums import Channel

blueprint = Blueprint(__name__)


@operation(
    blueprint,
    "GET",
    "/api/clinic",
    summary="The signed-in clinician's clinic: what its forms offer.",
    answers={
        200: answer_of("The clinic.", ClinicAnswer),
        **errors(401, e404="The clinician's clinic does not exist."),
    },
    security=Security.SESSION,
)
def clinic() -> Response:
    profile = profile_of(signed_in(blueprint))
    settings = profile.clinic.settings
    return answer(
        ClinicAnswer(
            clinic_id=profile.clinic.clinic_id,
            name=profile.clinic.name,
            time_zone=profile.clinic.time_zone,
            default_language=Language(profile.clinic.default_language),
            languages=[Language(language) for language in profile.languages],
            channels=[Channel(channel) for channel in profile.channels],
            reminder_lead_minutes=int(settings.reminder_lead_minutes),
            clinicians=[
                ColleagueAnswer(clinician_id=c.clinician_id, display_name=c.display_name)
                for c in profile.clinicians
            ],
        )
    )
