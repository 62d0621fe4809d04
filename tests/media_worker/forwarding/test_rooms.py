"""Rooms with real aiortc peers over UDP on this machine: forwarding without transcoding.

Each client's camera is flat grey with its own brightness, so a slot showing the right
participant is checked by what is decoded in it.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from media_worker.aiortc_hooks import pass_through
from media_worker.codecs import VideoCodec
from media_worker.errors import RoomFull
from media_worker.rooms import RoomManager, slot_showing
from tests.media_worker.codec_spy import spy_on_codecs
from tests.media_worker.forwarding.clients import Client, eventually, run

pytestmark = pytest.mark.slow

LUMAS = {"ana": 40, "ben": 100, "cleo": 160, "dev": 220}


async def join(manager: RoomManager, participant_id: str, *, room: str = "room-1") -> Client:
    client = Client(LUMAS[participant_id], slots=3)
    await client.accept(await manager.join(room, participant_id, await client.offer()))
    return client


async def seats(manager: RoomManager, room: str = "room-1") -> dict[str, int]:
    return {entry["participant_id"]: entry["seat"] for entry in await manager.roster(room)}


def shows(viewer: Client, viewer_seat: int, publisher_seat: int, luma: int) -> bool:
    """The viewer decodes the publisher's picture in the slot the roster implies."""
    counters = viewer.slot_counters[slot_showing(viewer_seat, publisher_seat, 4)]
    last = counters["video"].last_luma
    return counters["audio"].frames > 0 and last is not None and abs(last - luma) < 8


async def everyone_sees_everyone(
    manager: RoomManager, clients: dict[str, Client], room: str = "room-1"
) -> None:
    seat_of = await seats(manager, room)

    def all_shown() -> bool:
        return all(
            shows(viewer, seat_of[v], seat_of[p], LUMAS[p])
            for v, viewer in clients.items()
            for p in clients
            if p != v
        )

    await eventually(all_shown, timeout=5, what="every participant in every other's slot")


async def close_all(manager: RoomManager, clients: list[Client]) -> None:
    await manager.close()
    for client in clients:
        await client.close()


def test_four_participants_receive_each_other_while_the_worker_never_decodes() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[])
        with spy_on_codecs() as spy:
            clients = {pid: await join(manager, pid) for pid in LUMAS}
            await everyone_sees_everyone(manager, clients)
            assert len(manager.peers()) == 4
            for peer in manager.peers():
                assert spy.codecs_created_by(peer.pc) == []
            for client in clients.values():  # the spy works: the browsers do decode
                assert spy.codecs_created_by(client.pc).count("decoder") == 6
        fifth = Client(0, slots=3)
        with pytest.raises(RoomFull):
            await manager.join("room-1", "eve", await fifth.offer())
        assert manager.load() == 4
        await close_all(manager, [*clients.values(), fifth])

    run(scenario())


def test_without_ice_servers_no_stun_server_is_asked_and_only_host_candidates_offered() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[])
        client = Client(LUMAS["ana"], slots=3)
        try:
            answer = await manager.join("room-1", "ana", await client.offer())
            [peer] = manager.peers()
            gatherers = {
                t.sender.transport.transport.iceGatherer for t in peer.pc.getTransceivers()
            }
            for gatherer in gatherers:  # aiortc would use Google's STUN server if given None
                connection = gatherer._connection
                assert connection.stun_server is None and connection.turn_server is None
            candidates = [line for line in answer.splitlines() if line.startswith("a=candidate:")]
            assert candidates and all(" typ host" in line for line in candidates)
            assert answer.count("a=group:BUNDLE 0 1 2 3 4 5 6 7") == 1
        finally:
            await close_all(manager, [client])

    run(scenario())


def test_a_late_joiner_sees_video_within_a_second_thanks_to_a_keyframe_request() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[])
        early = {pid: await join(manager, pid) for pid in ("ana", "ben")}
        await everyone_sees_everyone(manager, early)
        await asyncio.sleep(1.0)  # the publishers' first keyframes are long gone
        started = time.monotonic()
        late = await join(manager, "cleo")
        seat_of = await seats(manager)
        for pid in early:
            slot = late.video_in_slot(slot_showing(seat_of["cleo"], seat_of[pid], 4))
            await eventually(slot.has_frames, timeout=2, what=f"{pid} at cleo's")
            assert slot.arrivals[0] - started < 1.0
            assert abs(slot.lumas[0] - LUMAS[pid]) < 8
        requests = [p.publications["video"].keyframe_requests_sent for p in manager.peers()]
        assert sum(requests) >= 2
        await close_all(manager, [*early.values(), late])

    run(scenario())


def test_leaving_detaches_the_slot_and_the_others_keep_receiving() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[])
        clients = {pid: await join(manager, pid) for pid in ("ana", "ben", "cleo")}
        await everyone_sees_everyone(manager, clients)
        seat_of = await seats(manager)
        await manager.leave("room-1", "ben")
        left = time.monotonic()
        await asyncio.sleep(1.0)
        ana, cleo = clients["ana"], clients["cleo"]
        ben_at_ana = ana.video_in_slot(slot_showing(seat_of["ana"], seat_of["ben"], 4))
        cleo_at_ana = ana.video_in_slot(slot_showing(seat_of["ana"], seat_of["cleo"], 4))
        ana_at_cleo = cleo.video_in_slot(slot_showing(seat_of["cleo"], seat_of["ana"], 4))
        assert ben_at_ana.frames_since(left + 0.2) == 0
        assert cleo_at_ana.frames_since(left + 0.2) > 10
        assert ana_at_cleo.frames_since(left + 0.2) > 10
        assert await seats(manager) == {"ana": seat_of["ana"], "cleo": seat_of["cleo"]}
        assert manager.load() == 2
        await close_all(manager, list(clients.values()))

    run(scenario())


def test_joining_again_replaces_the_peer_connection_and_keeps_the_seat() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[])
        clients = {pid: await join(manager, pid) for pid in ("ana", "ben")}
        await everyone_sees_everyone(manager, clients)
        before = await seats(manager)
        old_peers = set(map(id, manager.peers()))
        LUMAS_AFTER = {"ana": LUMAS["ana"], "ben": 200}
        reconnected = Client(LUMAS_AFTER["ben"], slots=3)
        await reconnected.accept(await manager.join("room-1", "ben", await reconnected.offer()))
        assert await seats(manager) == before
        assert len(old_peers & set(map(id, manager.peers()))) == 1  # only ana's is kept
        ana = clients["ana"]
        ben_at_ana = ana.video_in_slot(slot_showing(before["ana"], before["ben"], 4))
        await eventually(
            lambda: abs((ben_at_ana.last_luma or 0) - 200) < 8,
            timeout=2,
            what="ben's new camera at ana's",
        )
        assert manager.load() == 2
        await close_all(manager, [*clients.values(), reconnected])

    run(scenario())


def test_subscriber_bandwidth_estimates_reach_the_worker_and_the_publisher_gets_remb() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[], max_participants=2)
        estimates: list[int] = []
        ana = Client(LUMAS["ana"], slots=1)
        for transceiver in ana.pc.getTransceivers():
            if transceiver.kind == "video" and transceiver.direction == "sendrecv":
                pass_through.intercept_feedback(
                    transceiver.sender, on_keyframe_request=lambda: None, on_remb=estimates.append
                )
        await ana.accept(await manager.join("room-1", "ana", await ana.offer()))
        ben = Client(LUMAS["ben"], slots=1)
        await ben.accept(await manager.join("room-1", "ben", await ben.offer()))
        publication = manager.peers()[0].publications["video"]  # ana joined first
        # aiortc's receive-side estimator needs three seconds of traffic before its first REMB.
        await eventually(lambda: publication.bitrate_cap is not None, timeout=6, what="ben's REMB")
        await eventually(lambda: bool(estimates), timeout=2, what="a REMB at ana's sender")
        await close_all(manager, [ana, ben])

    run(scenario())


def test_an_h264_room_forwards_constrained_baseline_video() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[], video_codec=VideoCodec.H264)
        with spy_on_codecs() as spy:
            clients = {pid: await join(manager, pid, room="h264") for pid in ("ana", "ben")}
            await everyone_sees_everyone(manager, clients, room="h264")
            for peer in manager.peers():
                assert spy.codecs_created_by(peer.pc) == []
        answer = clients["ana"].pc.remoteDescription.sdp
        assert "H264/90000" in answer and "profile-level-id=42e01f" in answer
        assert "VP8/90000" not in answer
        await close_all(manager, list(clients.values()))

    run(scenario())
