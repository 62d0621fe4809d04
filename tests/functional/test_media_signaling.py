"""Media signaling over the websocket: scoped to the consultation, relayed to its worker."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.auth.principals import Principal
from chalicelib.call.audience import CallAudience
from chalicelib.call.exits import CallExits
from chalicelib.call.media_gate import MediaGate
from chalicelib.errors import Forbidden, InvalidField, MediaUnavailable, NotFound
from chalicelib.media.signaling import MediaSignaling
from chalicelib.media.turn import IceServerIssuer
from chalicelib.media.workers import MediaWorkerRegistry
from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.realtime.dispatch import MessageContext, MessageRouter
from chalicelib.realtime.protocol import InboundMessage
from chalicelib.realtime.push import Pusher
from chalicelib.store.models import CONSULTATION_SK, Consultation, ConsultationItem
from chalicelib.waiting_room.broadcast import RoomBroadcast
from tests.conftest import START
from tests.support import builders
from tests.support.call import OFFER, FakeMediaClient
from tests.support.fakes import FakeWebsocketApi, FrozenClock


@pytest.fixture
def client() -> FakeMediaClient:
    return FakeMediaClient()


@pytest.fixture
def router(
    tables: None, clock: FrozenClock, websocket_api: FakeWebsocketApi, client: FakeMediaClient
) -> MessageRouter:
    started = builders.consultation("c1", clinic_id="k1", starts_at=clock.now())
    started.call_number = 1
    started.save()
    for participant_id in ("p1", "p2"):  # both accepted the call: past the media gate
        item = builders.participant("c1", participant_id)
        item.presence = "in_call"
        item.save()
    builders.media_worker(clock, "w1", load=1)
    builders.media_worker(clock, "w2", load=5)
    connections = ConnectionRegistry(clock=clock)
    pusher = Pusher(websocket_api=websocket_api, registry=connections)
    signaling = MediaSignaling(
        workers=MediaWorkerRegistry(clock=clock, pool="default"),
        client=client,
        ice_servers=IceServerIssuer(
            secret="t" * 32, turn_urls=("turn:127.0.0.1:3490",), stun_urls=(), clock=clock
        ),
    )
    audience = CallAudience(registry=connections, pusher=pusher)
    exits = CallExits(
        clock=clock,
        signaling=signaling,
        audience=audience,
        broadcast=RoomBroadcast(registry=connections, pusher=pusher),
        registry=connections,
    )
    router = MessageRouter()
    signaling.register(router)
    MediaGate(
        clock=clock, signaling=signaling, audience=audience, registry=connections, exits=exits
    ).register(router)
    return router


def connected(participant_id: str, consultation_id: str | None = "c1") -> MessageContext:
    kind = "participant" if consultation_id else "clinician"
    principal = Principal(
        kind=kind, id=participant_id, clinic_id="k1", consultation_id=consultation_id
    )
    connection = ConnectionRegistry(clock=FrozenClock(START)).record(
        f"conn-{participant_id}", principal
    )
    return MessageContext(connection=connection)


def ask(router: MessageRouter, context: MessageContext, type_: str, **data: Any) -> Any:
    return router.dispatch(context, InboundMessage(type=type_, id="1", data=data))


def test_config_gives_the_participant_id_and_turn_credentials(router: MessageRouter) -> None:
    reply = ask(router, connected("p1"), "media.config")
    assert reply["participant_id"] == "p1" and reply["room_id"] == "c1"
    [turn] = reply["ice_servers"]
    assert turn["urls"] == ["turn:127.0.0.1:3490"]
    assert turn["username"].endswith(":p1") and turn["credential"]


def test_join_relays_the_offer_to_the_least_loaded_worker_and_tells_the_others(
    router: MessageRouter, websocket_api: FakeWebsocketApi
) -> None:
    first, second = connected("p1"), connected("p2")
    ask(router, first, "media.join", sdp=OFFER)
    pushed_to_joiner = len(websocket_api.frames("conn-p2"))

    reply = ask(router, second, "media.join", sdp=OFFER)

    assert reply["type"] == "media.answer" and reply["id"] == "1"
    assert reply["sdp"] == "answer from w1"
    assert [m["participant_id"] for m in reply["roster"]] == ["p1", "p2"]
    assert websocket_api.frames("conn-p1")[-1] == {
        "type": "media.roster",
        "consultation_id": "c1",
        "roster": reply["roster"],
    }
    assert len(websocket_api.frames("conn-p2")) == pushed_to_joiner  # it has the answer


def test_a_worker_that_does_not_answer_is_replaced_once(
    router: MessageRouter, client: FakeMediaClient
) -> None:
    client.unreachable.add("w1")
    reply = ask(router, connected("p1"), "media.join", sdp=OFFER)
    assert reply["sdp"] == "answer from w2"


def test_when_no_worker_answers_the_browser_is_told_to_retry(
    router: MessageRouter, client: FakeMediaClient
) -> None:
    client.unreachable.update({"w1", "w2"})
    with pytest.raises(MediaUnavailable):
        ask(router, connected("p1"), "media.join", sdp=OFFER)


def test_leave_updates_the_others_roster(
    router: MessageRouter, websocket_api: FakeWebsocketApi
) -> None:
    first, second = connected("p1"), connected("p2")
    ask(router, first, "media.join", sdp=OFFER)
    ask(router, second, "media.join", sdp=OFFER)

    assert ask(router, second, "media.leave")["type"] == "media.left"

    assert websocket_api.frames("conn-p1")[-1]["roster"] == [{"participant_id": "p1", "seat": 0}]


def test_candidates_are_relayed_and_checked(router: MessageRouter, client: FakeMediaClient) -> None:
    context = connected("p1")
    candidate = {"candidate": "candidate:1 1 udp 1 192.0.2.1 5000 typ host", "sdpMid": "0"}
    ask(router, context, "media.join", sdp=OFFER)
    ask(router, context, "media.ice", candidate=candidate)
    assert client.candidates == [("c1", "p1", candidate)]
    line = candidate["candidate"]
    for bad in (
        None,
        "text",
        {"sdpMid": "0"},
        {"candidate": "x" * 513},
        {"candidate": line, "sdpMid": "m" * 33},
        {"candidate": line, "sdpMid": 0},
        {"candidate": line, "sdpMLineIndex": 64},
        {"candidate": line, "sdpMLineIndex": True},
        {"candidate": line, "sdpMLineIndex": -1},
        {"candidate": line, "usernameFragment": "u" * 257},
    ):
        with pytest.raises(InvalidField) as caught:
            ask(router, context, "media.ice", candidate=bad)
        assert caught.value.field == "candidate"


@pytest.mark.parametrize("sdp", [None, "", "   ", 42, "v" * 40_000])
def test_join_without_a_usable_offer_names_the_field(router: MessageRouter, sdp: Any) -> None:
    with pytest.raises(InvalidField) as caught:
        ask(router, connected("p1"), "media.join", sdp=sdp)
    assert caught.value.field == "sdp"


def test_only_the_candidate_fields_the_worker_uses_are_relayed(
    router: MessageRouter, client: FakeMediaClient
) -> None:
    context = connected("p1")
    ask(router, context, "media.join", sdp=OFFER)
    sent = {
        "candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host",
        "sdpMLineIndex": 0,
        "usernameFragment": "abcd",
        "padding": ["x"] * 1000,
    }
    ask(router, context, "media.ice", candidate=sent)
    assert client.candidates[-1][2] == {
        "candidate": sent["candidate"],
        "sdpMLineIndex": 0,
        "usernameFragment": "abcd",
    }


def test_a_connection_outside_any_consultation_cannot_signal(router: MessageRouter) -> None:
    clinician = connected("d1", consultation_id=None)
    with pytest.raises(Forbidden):
        ask(router, clinician, "media.echo.start", sdp=OFFER)
    for type_ in ("media.config", "media.join"):  # a clinician names the consultation
        with pytest.raises(InvalidField) as caught:
            ask(router, clinician, type_, sdp=OFFER)
        assert caught.value.field == "consultation_id"


def test_the_echo_test_uses_the_consultations_worker(router: MessageRouter) -> None:
    reply = ask(router, connected("p1"), "media.echo.start", sdp=OFFER)
    assert reply == {
        "type": "media.echo",
        "id": "1",
        "session_id": "echo-on-w1",
        "sdp": "echo answer",
    }


def test_every_media_message_type_is_routed(router: MessageRouter) -> None:
    assert {t for t in router.message_types if t.startswith("media.")} == {
        "media.config",
        "media.join",
        "media.ice",
        "media.leave",
        "media.echo.start",
        "media.echo.stats",
        "media.echo.stop",
    }


def test_leaving_and_late_candidates_never_move_the_room(
    router: MessageRouter, client: FakeMediaClient, clock: FrozenClock
) -> None:
    context = connected("p1")
    ask(router, context, "media.join", sdp=OFFER)  # pinned to w1
    clock.advance(builders.MEDIA_HEARTBEAT * 4)  # w1 and w2 stop heart-beating
    builders.media_worker(clock, "w3")

    assert ask(router, context, "media.leave")["type"] == "media.left"
    with pytest.raises(NotFound):
        ask(
            router,
            context,
            "media.ice",
            candidate={"candidate": "candidate:1 1 udp 1 x 1 typ host"},
        )

    pinned = Consultation.get(ConsultationItem.partition("c1"), CONSULTATION_SK).media_worker_id
    assert pinned == "w1"  # only a join moves the room, to w3
    assert ask(router, context, "media.join", sdp=OFFER)["sdp"] == "answer from w3"
