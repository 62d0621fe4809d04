"""Rescheduling a consultation moves its chat's expiry: messages, receipts and uploads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from chalice import Chalice
from chalice.test import Client

from chalicelib.chat.members import Member, member_of
from chalicelib.config import Settings
from chalicelib.store.models import (
    ChatMessage,
    ChatSendReceipt,
    ConsultationItem,
    FileUpload,
)
from chalicelib.wiring import services
from tests.support import sample_files as files
from tests.support.clinic_api import body_of
from tests.support.fakes import FakeWebsocketApi, FrozenClock
from tests.support.waiting_room import Patient, World, consultation, sending, wired_app
from tests.support.ws_events import message_event


@pytest.fixture
def app(
    tables: None, settings: Settings, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> Chalice:
    return wired_app(sending(settings), clock, websocket_api)


@pytest.fixture
def world(app: Chalice, websocket_api: FakeWebsocketApi) -> Iterator[World]:
    with Client(app) as client:
        yield World(client, websocket_api)


def say(world: World, connection_id: str, client_id: str, **extra: Any) -> None:
    frame = {"type": "chat.send", "id": client_id, "client_id": client_id, "text": "hi", **extra}
    world.client.lambda_.invoke("message", message_event(connection_id, json.dumps(frame)))
    [reply] = [f for f in world.frames(connection_id) if f.get("id") == client_id]
    assert reply["type"] == "chat.sent", reply


def upload(patient: Patient, *, complete: bool) -> str:
    asked = patient.send(
        "POST", "/api/participant/files", {"file_name": "rash.jpg", "content_type": "image/jpeg"}
    )
    assert asked.status_code == 201, asked.body
    grant = body_of(asked)
    posted = requests.post(
        grant["upload"]["url"],
        data=grant["upload"]["fields"],
        files={"file": ("rash.jpg", files.jpeg(), "image/jpeg")},
        timeout=30,
    )
    assert posted.status_code in (200, 201, 204), posted.text
    if complete:
        done = patient.send("POST", f"/api/participant/files/{grant['file_id']}/complete")
        assert done.status_code == 201, done.body
    file_id: str = grant["file_id"]
    return file_id


def chat_items(consultation_id: str) -> list[ConsultationItem]:
    return [
        item
        for item in ConsultationItem.query(ConsultationItem.partition(consultation_id))
        if isinstance(item, ChatMessage | ChatSendReceipt | FileUpload)
    ]


def test_a_reschedule_gives_every_chat_item_the_new_expiry(world: World) -> None:
    consultation_id = world.schedule()
    other_id = world.schedule()
    patient = world.patient_of(consultation_id)
    world.dashboard("dash-c1", "c1", "k1")
    say(world, patient.connection_id, "a1")
    say(world, "dash-c1", "d1", consultation_id=consultation_id)
    upload(patient, complete=True)
    upload(patient, complete=False)  # still pending: its item moves too
    other_patient = world.patient_of(other_id, "ws-other")
    say(world, other_patient.connection_id, "o1")
    before = consultation(consultation_id).expires_at
    kinds = sorted(type(item).__name__ for item in chat_items(consultation_id))
    assert kinds == ["ChatMessage"] * 3 + ["ChatSendReceipt"] * 2 + ["FileUpload"] * 2
    assert {item.expires_at for item in chat_items(consultation_id)} == {before}

    moved = world.clinician("c1").send(
        "PATCH", f"/api/consultations/{consultation_id}", {"starts_at": "2026-11-27T14:00:00Z"}
    )

    assert moved.status_code == 200, moved.body
    after = consultation(consultation_id).expires_at
    assert (
        after is not None
        and before is not None
        and after - before == timedelta(days=3, hours=4, minutes=30)
    )
    assert {item.expires_at for item in chat_items(consultation_id)} == {after}
    assert len(chat_items(consultation_id)) == 7  # moved, none made or lost
    # another consultation's chat is left as it was
    assert {i.expires_at for i in chat_items(other_id)} == {consultation(other_id).expires_at}
    assert consultation(other_id).expires_at == before


def test_a_message_written_with_the_old_expiry_after_the_move_is_rewritten(
    world: World,
) -> None:
    consultation_id = world.schedule()
    patient = world.patient_of(consultation_id)
    before = consultation(consultation_id).expires_at
    world.clinician("c1").send(
        "PATCH", f"/api/consultations/{consultation_id}", {"starts_at": "2026-11-27T14:00:00Z"}
    )
    # A send that read the consultation before the move: its transaction's check on the
    # consultation's expiry fails, and it is retried with the new one.
    principal = services().participant_links.session_principal(patient.cookie)
    member = member_of(principal, None)
    stale = consultation(consultation_id)
    stale.expires_at = before
    sent = services().chat.send(
        Member(
            principal=member.principal,
            consultation=stale,
            display_name=member.display_name,
            role=member.role,
            language=member.language,
        ),
        client_id="late",
        text="written meanwhile",
        sender="ws-stale",
    )
    assert sent.created
    after = consultation(consultation_id).expires_at
    assert after != before
    assert {item.expires_at for item in chat_items(consultation_id)} == {after}
