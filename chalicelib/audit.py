"""The audit trail: who did what to which consultation, per clinic, kept for a year.

Details name ids, counts and times only, never personal data (names, phone numbers,
email addresses, message text), so the trail can be read by any of the clinic's staff.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from chalicelib.auth.principals import Principal
from chalicelib.store.models import AuditEvent

RETENTION = timedelta(days=365)


def record(
    action: str,
    actor: Principal,
    *,
    now: datetime,
    consultation_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event to the actor's clinic's trail."""
    AuditEvent(
        clinic_id=actor.clinic_id,
        event_key=f"{now.isoformat()}#{uuid.uuid4().hex}",
        action=action,
        actor_kind=actor.kind,
        actor_id=actor.id,
        consultation_id=consultation_id,
        details=details or {},
        occurred_at=now,
        expires_at=now + RETENTION,
    ).save()
