"""Media signaling over the websocket: scoped to the consultation, relayed to its worker."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.auth.principals import Principal
from chalicelib.errors import Forbidden, InvalidField, MediaUnavailable, NotFound
from chalicelib.media.client import MediaClient
from chalicelib.media.signaling import MediaSignaling
from chalicelib.media.turn import IceServerIssuer
from chalicelib.media.workers import MediaWorkerRegistry, WorkerEndpoint
from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.realtime.dispatch import MessageContext, MessageRouter
from chalicelib.realtime.protocol import InboundMessage
from chalicelib.realtime.push import Pusher
from chalicelib.store.models import CONSULTATION_SK, Consultation, ConsultationItem
from tests.conftest import START
from tests.support import builders
from tests.support.fakes import FakeWebsocketApi, FrozenClock

OFFER = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"


class FakeMediaClient(MediaClient):
    """Answers like a worker; workers in `unreachable` raise as a silent worker would."""

    def __init__(self) -> None:
        super().__init__(secret="x" * 32)
        self.unreachable: set[str] = set()
        self.rooms: dict[tuple[str, str], list[str]] = {}
        self.candidates: list[tuple[str, str, dict[str, Any]]] = []

    def _room(self, worker: WorkerEndpoint, room_id: str) -> list[str]:
        if worker.worker_id in self.unreachable:
            raise MediaUnavailable("the media worker did not answer")
        return self.rooms.setdefault((worker.worker_id, room_id), [])

    def offer(
        self, worker: WorkerEndpoint, room_id: str, participant_id: str, sdp: str
    ) -> dict[str, Any]:
        members = self._room(worker, room_id)
        if participant_id not in members:
            members.append(participant_id)
        return {"sdp": f"answer from {worker.worker_id}", "roster": self.roster(worker, room_id)}

    def roster(self, worker: WorkerEndpoint, room_id: str) -> list[dict[str, Any]]:
        members = self._room(worker, room_id)
        return [{"participant_id": p, "seat": seat} for seat, p in enumerate(members)]

    def leave(self, worker: WorkerEndpoint, room_id: str, participant_id: str) -> None:
        self._room(worker, room_id).remove(participant_id)

    def add_ice_candidate(
        self, worker: WorkerEndpoint, room_id: str, participant_id: str, candidate: dict[str, Any]
    ) -> None:
        self._room(worker, room_id)
        self.candidates.append((room_id, participant_id, candidate))

    def start_echo(self, worker: WorkerEndpoint, sdp: str) -> dict[str, Any]:
        return {"session_id": f"echo-on-{worker.worker_id}", "sdp": "echo answer"}


@pytest.fixture
def client() -> FakeMediaClient:
    return FakeMediaClient()


@pytest.fixture
def router(
    tables: None, clock: FrozenClock, websocket_api: FakeWebsocketApi, client: FakeMediaClient
) -> MessageRouter:
    builders.consultation("c1", clinic_id="k1", starts_at=clock.now()).save()
    builders.media_worker(clock, "w1", load=1)
    builders.media_worker(clock, "w2", load=5)
    connections = ConnectionRegistry(clock=clock)
    signaling = MediaSignaling(
        workers=MediaWorkerRegistry(clock=clock, pool="default"),
        client=client,
        ice_servers=IceServerIssuer(
            secret="t" * 32, turn_urls=("turn:127.0.0.1:3490",), stun_urls=(), clock=clock
        ),
        pusher=Pusher(websocket_api=websocket_api, registry=connections),
    )
    router = MessageRouter()
    signaling.register(router)
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
    for type_ in ("media.config", "media.join", "media.echo.start"):
        with pytest.raises(Forbidden):
            ask(router, clinician, type_, sdp=OFFER)


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
