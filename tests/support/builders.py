"""Builders of model items with sensible defaults, so a test states only what matters."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.clock import Clock
from chalicelib.store.models import (
    CONSULTATION_SK,
    ChatMessage,
    ClinicianAssignment,
    Consultation,
    ConsultationItem,
    MediaWorker,
    Participant,
    day_key,
)


def consultation(
    consultation_id: str, *, clinic_id: str, starts_at: datetime, local_day: str | None = None
) -> Consultation:
    day = local_day or starts_at.date().isoformat()
    return Consultation(
        pk=ConsultationItem.partition(consultation_id),
        sk=CONSULTATION_SK,
        consultation_id=consultation_id,
        clinic_id=clinic_id,
        starts_at=starts_at,
        clinic_day=f"{clinic_id}#{day}",
        time_zone="Europe/Paris",
        duration_minutes=20,
        language="fr",
        created_at=starts_at - timedelta(days=1),
        updated_at=starts_at - timedelta(days=1),
        expires_at=starts_at + timedelta(days=30),
    )


def participant(consultation_id: str, participant_id: str, role: str = "patient") -> Participant:
    return Participant(
        pk=ConsultationItem.partition(consultation_id),
        sk=Participant.sort_key(participant_id),
        consultation_id=consultation_id,
        participant_id=participant_id,
        role=role,
        display_name=f"Person {participant_id}",
        language="fr",
    )


def chat(consultation_id: str, number: int, sent_at: datetime) -> ChatMessage:
    message_id = f"m{number:03d}"
    return ChatMessage(
        pk=ConsultationItem.partition(consultation_id),
        sk=ChatMessage.sort_key(sent_at, message_id),
        consultation_id=consultation_id,
        message_id=message_id,
        author_kind="participant",
        author_id="p1",
        text=f"message {number}",
        sent_at=sent_at,
    )


def assignment(
    consultation_id: str, clinician_id: str, *, clinic_id: str, starts_at: datetime
) -> ClinicianAssignment:
    return ClinicianAssignment(
        pk=ConsultationItem.partition(consultation_id),
        sk=ClinicianAssignment.sort_key(clinician_id),
        consultation_id=consultation_id,
        clinic_id=clinic_id,
        clinician_id=clinician_id,
        starts_at=starts_at,
        clinician_day=day_key(clinician_id, starts_at.date()),
        duration_minutes=20,
        status="scheduled",
    )


MEDIA_HEARTBEAT = timedelta(seconds=10)


def media_worker(
    clock: Clock,
    worker_id: str,
    *,
    load: int = 0,
    capacity: int = 10,
    status: str = "active",
    beat_ago: timedelta = timedelta(0),
    pool: str = "default",
) -> None:
    """A worker's own heartbeat, as `media_worker.registration` writes it."""
    beat = clock.now() - beat_ago
    MediaWorker(
        worker_id=worker_id,
        pool=pool,
        control_url=f"http://{worker_id}.internal:8080",
        public_address="203.0.113.10",
        capacity=capacity,
        load=load,
        status=status,
        heartbeat_at=beat,
        expires_at=beat + 3 * MEDIA_HEARTBEAT,
    ).save()
