"""The waiting room's websocket frames and the participant state they carry, as plain JSON.

The same `participant_state` fills the `me` of the REST answers (without the frame's
`type` and `consultation_id`), so a page reads one shape from both. Frames never carry
names, phone numbers or email addresses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.store.models import Consultation, DelayNotice, DeviceCheck, Participant
from chalicelib.waiting_room.estimate import Estimate
from chalicelib.waiting_room.presence import reached

PARTICIPANT = "waiting_room.participant"
DELAY = "waiting_room.delay"
ESTIMATE = "waiting_room.estimate"
CALLED = "waiting_room.called"
CONSULTATION = "waiting_room.consultation"


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def device_check_json(check: DeviceCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "camera": check.camera,
        "microphone": check.microphone,
        "speaker": check.speaker,
        "connection": check.connection,
        "rtt_ms": _number(check.rtt_ms),
        "jitter_ms": _number(check.jitter_ms),
        "loss_percent": _number(check.loss_percent),
        "bitrate_kbps": _number(check.bitrate_kbps),
        "checked_at": iso(check.checked_at),
    }


def participant_state(participant: Participant) -> dict[str, Any]:
    """Where the participant is: presence, waiting since, device check; no personal data."""
    return {
        "participant_id": participant.participant_id,
        "role": participant.role,
        "presence": reached(participant.presence).value,
        "waiting_since": iso(participant.waiting_since),
        "device_check": device_check_json(participant.device_check),
        "join_with": participant.join_with,
        "notify_when_called": bool(participant.notify_when_called),
    }


def delay_json(delay: DelayNotice | None) -> dict[str, Any] | None:
    if delay is None:
        return None
    return {
        "minutes": int(delay.minutes),
        "text": delay.text,
        "announced_at": iso(delay.announced_at),
    }


def estimate_json(estimate: Estimate | None) -> dict[str, int] | None:
    if estimate is None:
        return None
    return {"low_minutes": estimate.low_minutes, "high_minutes": estimate.high_minutes}


def participant_frame(consultation_id: str, participant: Participant) -> dict[str, Any]:
    return {
        "type": PARTICIPANT,
        "consultation_id": consultation_id,
        **participant_state(participant),
    }


def delay_frame(consultation: Consultation) -> dict[str, Any]:
    return {
        "type": DELAY,
        "consultation_id": consultation.consultation_id,
        "delay": delay_json(consultation.delay),
    }


def estimate_frame(consultation_id: str, estimate: Estimate | None) -> dict[str, Any]:
    return {
        "type": ESTIMATE,
        "consultation_id": consultation_id,
        "estimate": estimate_json(estimate),
    }


def called_frame(
    consultation_id: str,
    call_number: int,
    *,
    mode: str = "video",
    participant_ids: list[str] | None = None,
    caller: str = "",
) -> dict[str, Any]:
    """Start rang `participant_ids` (a page not named ignores it); `caller` is the
    clinician's display name, shown on the incoming call."""
    return {
        "type": CALLED,
        "consultation_id": consultation_id,
        "call_number": call_number,
        "mode": mode,
        "participant_ids": participant_ids or [],
        "caller": caller,
    }


def consultation_frame(consultation_id: str, status: str) -> dict[str, Any]:
    return {"type": CONSULTATION, "consultation_id": consultation_id, "status": status}


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)
