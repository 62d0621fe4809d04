"""Bad input from a browser or the control API gets the worker's own errors, never a crash."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest

from media_worker.codecs import VideoCodec, codec_preferences
from media_worker.errors import (
    BadCandidate,
    BadOffer,
    UnknownEchoSession,
    UnknownParticipant,
    UnknownRoom,
)
from media_worker.rooms import RoomManager
from tests.media_worker.forwarding.clients import Client, run


async def real_offer(*, slots: int = 1, prefer_h264: bool = False) -> str:
    client = Client(50, slots=slots)
    if prefer_h264:
        for transceiver in client.pc.getTransceivers():
            if transceiver.kind == "video":
                transceiver.setCodecPreferences(codec_preferences("video", VideoCodec.H264))
    try:
        return await client.offer()
    finally:
        await client.close()


def without(line_start: str) -> Callable[[str], str]:
    return lambda sdp: "\r\n".join(
        line for line in sdp.split("\r\n") if not line.startswith(line_start)
    )


def scrambled(sdp: str, rnd: random.Random) -> str:
    """The offer with three lines cut short, garbled or dropped."""
    lines = sdp.split("\r\n")
    for _ in range(3):
        at = rnd.randrange(len(lines))
        cut = lines[at][: rnd.randrange(len(lines[at]) + 1)]
        lines[at] = cut + rnd.choice(["x", ":", " -1", " 99999999999", ""])
    return "\r\n".join(lines)


MALFORMED: dict[str, Callable[[str], str]] = {
    "empty": lambda sdp: "",
    "not sdp": lambda sdp: "hello",
    "truncated": lambda sdp: sdp[: len(sdp) // 2],
    "no bundle": without("a=group:BUNDLE"),
    "no ice credentials": without("a=ice-"),
    "no fingerprint": without("a=fingerprint"),
    "no mid": without("a=mid"),
    "bad payload type": lambda sdp: sdp.replace("a=rtpmap:96", "a=rtpmap:x", 1),
    "media line cut": lambda sdp: re.sub(r"m=video (\d+) \S+", r"m=video \1", sdp, count=1),
    "two sending videos": lambda sdp: sdp.replace("a=recvonly", "a=sendrecv"),
    "no media": lambda sdp: sdp.split("\r\nm=")[0] + "\r\n",
}


@pytest.mark.parametrize("mangle", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_offer_is_a_bad_offer_and_leaves_nothing_behind(
    mangle: Callable[[str], str],
) -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[])
        with pytest.raises(BadOffer):
            await manager.join("room-1", "ana", mangle(await real_offer()))
        assert manager.load() == 0
        with pytest.raises(UnknownRoom):
            await manager.roster("room-1")
        await manager.close()

    run(scenario())


def test_scrambled_offers_are_answered_or_refused_with_bad_offer_only() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[])
        offer, rnd = await real_offer(), random.Random(7)  # noqa: S311 (a repeatable fuzz)
        outcomes = {"answered": 0, "refused": 0}
        for attempt in range(60):
            try:
                await manager.join("room-1", f"p{attempt}", scrambled(offer, rnd))
            except BadOffer:
                outcomes["refused"] += 1
            else:
                outcomes["answered"] += 1
                await manager.leave("room-1", f"p{attempt}")
        assert outcomes["refused"] > 20
        assert manager.load() == 0
        await manager.close()

    run(scenario())


def test_offers_without_the_rooms_codec_too_many_slots_or_no_echo_path_are_refused() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[], max_participants=2)
        with pytest.raises(BadOffer):
            await manager.join("room-1", "ana", await real_offer(prefer_h264=True))
        with pytest.raises(BadOffer):
            await manager.join("room-1", "ana", await real_offer(slots=2))
        with pytest.raises(BadOffer):
            await manager.join("room-1", "ana", 42)  # type: ignore[arg-type]
        echo_offer = await real_offer(slots=0)
        for bad_echo in (echo_offer[:200], echo_offer.replace("a=sendrecv", "a=sendonly")):
            with pytest.raises(BadOffer):
                await manager.start_echo(bad_echo)
        assert manager.load() == 0
        await manager.close()

    run(scenario())


def test_unknown_rooms_participants_sessions_and_bad_candidates_are_refused() -> None:
    async def scenario() -> None:
        manager = RoomManager(ice_servers=[])
        candidate = {"candidate": "candidate:1 1 udp 1 192.0.2.9 9 typ host", "sdpMid": "0"}
        with pytest.raises(UnknownRoom):
            await manager.leave("nowhere", "ana")
        with pytest.raises(UnknownRoom):
            await manager.add_ice_candidate("nowhere", "ana", candidate)
        client = Client(50, slots=1)
        await client.accept(await manager.join("room-1", "ana", await client.offer()))
        with pytest.raises(UnknownParticipant):
            await manager.leave("room-1", "ben")
        for bad in (
            {},
            {"candidate": 7, "sdpMid": "0"},
            {"candidate": "candidate:1 1 udp 1 192.0.2.9 9 typ host"},
            {"candidate": "candidate:garbage", "sdpMid": "0"},
            {"candidate": "candidate:1 x udp 1 192.0.2.9 9 typ host", "sdpMid": "0"},
            {"candidate": candidate["candidate"], "sdpMid": "0", "sdpMLineIndex": "0"},
        ):
            with pytest.raises(BadCandidate):
                await manager.add_ice_candidate("room-1", "ana", bad)
        await manager.add_ice_candidate("room-1", "ana", {"candidate": "", "sdpMid": "0"})
        for missing in (manager.echo_stats, manager.stop_echo):
            with pytest.raises(UnknownEchoSession):
                await missing("no-such-session")
        await manager.close()
        await client.close()

    run(scenario())
