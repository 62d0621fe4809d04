"""The signed-in clinician's clinic: name, time zone, languages, channels, colleagues, and
its waiting-room settings, which its clinicians change here.

The clinic UI fills its forms from this; `chalicelib.clinics.directory` reads it and
`chalicelib.clinics.settings` changes the settings.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.clinics.directory import ClinicProfile, profile_of, profile_with
from chalicelib.clinics.settings import SettingsChange, change_settings
from chalicelib.i18n.languages import Language
from chalicelib.routes.clinic_settings_bodies import ClinicSettingsAnswer, ClinicSettingsBody
from chalicelib.routes.clinician_api import answer, body_of, signed_in
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.routes.response_bodies import ClinicAnswer, ColleagueAnswer
from chalicelib.store.enums import Channel
from chalicelib.store.models import ClinicSettings

blueprint = Blueprint(__name__)


@operation(
    blueprint,
    "GET",
    "/api/clinic",
    summary="The signed-in clinician's clinic: what its forms offer, and its settings.",
    answers={
        200: answer_of("The clinic.", ClinicAnswer),
        **errors(401, e404="The clinician's clinic does not exist."),
    },
    security=Security.SESSION,
)
def clinic() -> Response:
    return answer(_clinic_answer(profile_of(signed_in(blueprint))))


@operation(
    blueprint,
    "PATCH",
    "/api/clinic/settings",
    summary="Change some of the clinic's waiting-room settings (the fields given; null or "
    "absent: unchanged). Applies to the signed-in clinician's own clinic.",
    body=ClinicSettingsBody,
    answers={
        200: answer_of("The clinic with its settings as they now are.", ClinicAnswer),
        **errors(400, 401, 403, e404="The clinician's clinic does not exist."),
    },
    security=Security.SESSION_AND_CSRF,
)
def change_clinic_settings() -> Response:
    principal = signed_in(blueprint)
    body = body_of(blueprint, ClinicSettingsBody)
    changed = change_settings(
        principal.clinic_id,
        SettingsChange(
            join_opens_minutes_before=body.join_opens_minutes_before,
            reminder_lead_minutes=body.reminder_lead_minutes,
            late_notice_interval_minutes=body.late_notice_interval_minutes,
            late_notice_channel=body.late_notice_channel,
            chat_after_end=body.chat_after_end,
        ),
    )
    return answer(_clinic_answer(profile_with(changed)))


def _clinic_answer(profile: ClinicProfile) -> ClinicAnswer:
    settings = profile.clinic.settings
    return ClinicAnswer(
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
        settings=_settings_answer(settings),
    )


def _settings_answer(settings: ClinicSettings) -> ClinicSettingsAnswer:
    return ClinicSettingsAnswer(
        join_opens_minutes_before=int(settings.join_opens_minutes_before),
        reminder_lead_minutes=int(settings.reminder_lead_minutes),
        late_notice_interval_minutes=int(settings.late_notice_interval_minutes),
        late_notice_channel="sms" if settings.late_notice_channel == "sms" else "email",
        chat_after_end=settings.chat_after_end is not False,
    )
