"""The signed-in clinician's clinic: name, time zone, languages, channels and colleagues.

The clinic UI fills its forms from this; `chalicelib.clinics.directory` reads it.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.clinics.directory import profile_of
from chalicelib.routes.clinician_api import answer, signed_in

blueprint = Blueprint(__name__)


@blueprint.route("/api/clinic", methods=["GET"])
def clinic() -> Response:
    profile = profile_of(signed_in(blueprint))
    settings = profile.clinic.settings
    return answer(
        {
            "clinic_id": profile.clinic.clinic_id,
            "name": profile.clinic.name,
            "time_zone": profile.clinic.time_zone,
            "default_language": profile.clinic.default_language,
            "languages": list(profile.languages),
            "channels": list(profile.channels),
            "reminder_lead_minutes": int(settings.reminder_lead_minutes),
            "clinicians": [
                {"clinician_id": c.clinician_id, "display_name": c.display_name}
                for c in profile.clinicians
            ],
        }
    )
