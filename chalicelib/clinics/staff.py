"""A clinician's account over its life: deactivating it, and the retention rule it starts.

The rule: an active clinician's item (name, email) is kept while the account is active, and
has no `expires_at`. Deactivating sets `active` false and `expires_at` one retention period
later (`VESTIBULE_RETENTION_DAYS`, as for consultations), so DynamoDB's TTL deletes the
personal data then. The two change in one conditional UpdateItem, so no reader ever sees an
inactive clinician without an expiry or an active one with it. Deactivating again changes
nothing (the condition requires an active account): a repeated or racing call cannot push
the deletion further away. Reactivating before the deletion removes `expires_at`; after it,
the clinician no longer exists and must be created anew.

A clinician's own mobile number (`phone`, for SMS late notices) lives on the same item, so it
leaves with the account; `set_phone` changes it only while the account is active.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.clock import Clock
from chalicelib.errors import NotFound
from chalicelib.messaging.contact_points import normalise_phone
from chalicelib.store.models import Clinician

#: phonenumbers' "unknown region": a clinician's number is written with its `+<country code>`.
INTERNATIONAL_ONLY = "ZZ"


class ClinicianAccounts:
    def __init__(self, *, clock: Clock, retention: timedelta) -> None:
        self._clock = clock
        self._retention = retention

    def deactivate(self, clinician_id: str) -> datetime | None:
        """Deactivate an active account; when its data expires, or None if already inactive.

        `NotFound` if there is no such clinician.
        """
        expires_at = self._clock.now() + self._retention
        changed = _update_if(
            clinician_id,
            active_now=True,
            actions=[Clinician.active.set(False), Clinician.expires_at.set(expires_at)],
        )
        return expires_at if changed else None

    def reactivate(self, clinician_id: str) -> bool:
        """Make an inactive account active again and keep it; False if it was active already."""
        return _update_if(
            clinician_id,
            active_now=False,
            actions=[Clinician.active.set(True), Clinician.expires_at.remove()],
        )


def set_phone(clinician_id: str, raw: str | None) -> str | None:
    """Set (E.164) or, with None or "", remove an active clinician's phone; the phone now.

    `InvalidField("phone")` for a number that is not a mobile with its country code (the
    message never repeats it); `NotFound` for a missing or inactive account."""
    phone = normalise_phone(raw, INTERNATIONAL_ONLY) if raw and raw.strip() else None
    action = Clinician.phone.set(phone) if phone else Clinician.phone.remove()
    if not _update_if(clinician_id, active_now=True, actions=[action]):
        raise NotFound("there is no such clinician")
    return phone


def _update_if(clinician_id: str, *, active_now: bool, actions: list[Action]) -> bool:
    item = Clinician(clinician_id=clinician_id)
    try:
        item.update(
            actions=actions,
            condition=Clinician.active == active_now,  # false for a missing item too
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        try:
            Clinician.get(clinician_id)
        except Clinician.DoesNotExist:
            raise NotFound("there is no such clinician") from None
        return False
    return True
