"""When a participant's reminder falls due, and the updates that put it on the due index.

A reminder goes by SMS, else by WhatsApp where the clinic has it, to a participant with a
phone number; it falls due the clinic's `reminder_lead_minutes` before the start. The due
time lives on the participant as `due_at` and `due_day`, the keys of the sparse
`by_due_work` index the sweeper reads (`chalicelib.reminders.sweep`): setting them schedules the
reminder, removing them takes it off the index.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.expressions.update import Action

from chalicelib.store.enums import Channel
from chalicelib.store.models import Clinic, ConsultationItem, Participant, due_day_key


def reminder_channel(participant: Participant, clinic: Clinic) -> str | None:
    """The channel a reminder goes on: SMS, else WhatsApp (if the clinic has it), else none."""
    if participant.phone is None:
        return None
    if Channel.SMS in participant.channels:
        return Channel.SMS
    if Channel.WHATSAPP in participant.channels and clinic.settings.whatsapp_phone_number_id:
        return Channel.WHATSAPP
    return None


def reminder_due(
    participant: Participant, starts_at: datetime, clinic: Clinic, *, now: datetime
) -> datetime | None:
    """When `participant`'s reminder falls due; None without a channel or if it is past."""
    if reminder_channel(participant, clinic) is None:
        return None
    due_at = starts_at - timedelta(minutes=int(clinic.settings.reminder_lead_minutes))
    return due_at if due_at > now else None


def schedule_on(participant: Participant, due_at: datetime | None) -> None:
    """Set a new (unsaved) participant's due keys."""
    participant.due_at = due_at
    participant.due_day = due_day_key(due_at) if due_at else None


def due_actions(due_at: datetime | None) -> list[Action]:
    """Updates that make `due_at` the participant's reminder time, or (None) clear it."""
    if due_at is None:
        return [ConsultationItem.due_at.remove(), ConsultationItem.due_day.remove()]
    return [ConsultationItem.due_at.set(due_at), ConsultationItem.due_day.set(due_day_key(due_at))]
