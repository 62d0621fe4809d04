"""The waiting room's answer carries the latest chat, from its one Query of the partition."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.chat.frames import message_body
from chalicelib.config import Settings
from chalicelib.store.models import (
    CONSULTATION_SK,
    RECENT_CHAT_MESSAGES,
    ChatMessage,
    Clinic,
    Consultation,
    ConsultationItem,
)
from chalicelib.wiring import services
from tests.support import builders
from tests.support.fakes import FakeWebsocketApi, FrozenClock
from tests.support.waiting_room import START, World, sending, wired_app


@pytest.fixture
def app(
    tables: None, settings: Settings, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> Chalice:
    return wired_app(sending(settings), clock, websocket_api)


@pytest.fixture
def world(app: Chalice, websocket_api: FakeWebsocketApi) -> Iterator[World]:
    with Client(app) as client:
        yield World(client, websocket_api)


def written(consultation_id: str, count: int) -> list[ChatMessage]:
    messages = [
        builders.chat(consultation_id, number, START + timedelta(seconds=number))
        for number in range(count)
    ]
    for message in messages:
        message.save()
    return messages


def test_no_chat_yet_is_an_empty_list_and_no_cursor(world: World) -> None:
    patient = world.patient_of(world.schedule())
    assert patient.room()["chat"] == {"messages": [], "before": None}


def test_a_few_messages_come_oldest_first_in_the_frames_shape(world: World) -> None:
    patient = world.patient_of(world.schedule())
    messages = written(patient.consultation_id, 3)
    written(world.schedule(), 2)  # another consultation's chat never shows

    chat = patient.room()["chat"]

    assert chat["messages"] == [message_body(m) for m in messages]
    assert chat["before"] is None  # fewer than 50: there is nothing older


def test_the_latest_fifty_and_a_cursor_that_pages_back_to_the_rest(
    world: World, dynamodb_calls: list[str]
) -> None:
    patient = world.patient_of(world.schedule())
    messages = written(patient.consultation_id, RECENT_CHAT_MESSAGES + 5)
    dynamodb_calls.clear()

    chat = patient.room()["chat"]

    assert dynamodb_calls.count("Query") == 1  # the chat came with the room's one Query
    assert [m["text"] for m in chat["messages"]] == [m.text for m in messages[5:]]
    assert chat["before"] == chat["messages"][0]["cursor"]
    older = services().chat.history(patient.consultation_id, chat["before"])
    assert [m.text for m in older.messages] == [m.text for m in messages[:5]]
    assert older.before is None


def test_exactly_fifty_may_have_older_ones_so_the_cursor_is_given(world: World) -> None:
    patient = world.patient_of(world.schedule())
    written(patient.consultation_id, RECENT_CHAT_MESSAGES)
    chat = patient.room()["chat"]
    assert len(chat["messages"]) == RECENT_CHAT_MESSAGES
    assert chat["before"] == chat["messages"][0]["cursor"]
    assert services().chat.history(patient.consultation_id, chat["before"]).messages == []


@pytest.mark.parametrize(("kept", "shown"), [(True, 3), (False, 0)])
def test_after_the_end_the_answer_has_the_chat_only_if_the_clinic_keeps_it(
    world: World, kept: bool, shown: int
) -> None:
    patient = world.patient_of(world.schedule())
    written(patient.consultation_id, 3)
    consultation = ConsultationItem.get(
        ConsultationItem.partition(patient.consultation_id), CONSULTATION_SK
    )
    consultation.update(actions=[Consultation.status.set("ended")])
    clinic = Clinic.get(consultation.clinic_id)
    clinic.update(actions=[Clinic.settings.chat_after_end.set(kept)])

    room = patient.room()

    assert (room["chat_after_end"], len(room["chat"]["messages"])) == (kept, shown)
