"""A clinic's waiting-room settings as its clinicians change them: only the fields given.

`change_settings` writes the given fields of the clinic's `settings` map in one UpdateItem
(`SET settings.<field> = :v, ...`), conditional on the clinic existing with its map, so two
clinicians changing different fields at once both keep their change, and a clinic that does
not exist is never created half-written. The bounds are the request body's
(`chalicelib.routes.clinic_settings_bodies`); this module only writes what it is given.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.errors import NotFound
from chalicelib.store.models import Clinic


@dataclass(frozen=True)
class SettingsChange:
    """The fields to change; None leaves a field as it is."""

    join_opens_minutes_before: int | None = None
    reminder_lead_minutes: int | None = None
    late_notice_interval_minutes: int | None = None
    late_notice_channel: str | None = None
    chat_after_end: bool | None = None


def change_settings(clinic_id: str, change: SettingsChange) -> Clinic:
    """Apply `change` to the clinic's settings and return the clinic as it now is.

    `NotFound` if the clinic does not exist."""
    actions: list[Action] = [
        Clinic.settings[name].set(value)
        for name, value in dataclasses.asdict(change).items()
        if value is not None
    ]
    if not actions:
        return _clinic(clinic_id)
    item = Clinic(clinic_id=clinic_id)
    try:
        item.update(
            actions=actions,
            condition=Clinic.clinic_id.exists() & Clinic.settings.exists(),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise NotFound("the clinician's clinic does not exist") from None
    return item  # the update's answer (ALL_NEW) filled it


def _clinic(clinic_id: str) -> Clinic:
    try:
        return Clinic.get(clinic_id, consistent_read=True)
    except Clinic.DoesNotExist:
        raise NotFound("the clinician's clinic does not exist") from None
