"""The worker under test, alone in its process so that its CPU time is its own.

`forward` runs the real `RoomManager` (the worker's packet path).
`floor` is the same worker with its forwarding logic taken out (`FloorWorker`): what any
forwarder on this stack pays whatever its logic, for `bench.media.floor`.
`transcode` is the baseline, aiortc's own way to relay media: every received track is
decoded, `MediaRelay` hands the frames to the other participant's sender, which encodes
them again (VP8 and Opus, the same codecs as the forwarding path).
The parent drives it through a pipe: ("join", room, participant, offer) -> answer;
("cpu",) -> (user, system) CPU seconds of the process, all threads; ("counters",) ->
forwarding counters; ("pid",) -> its process id (for a profiler); ("stop",).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay

from media_worker.aiortc_hooks.outbound import OutboundLeg
from media_worker.aiortc_hooks.packet_path import RtpTap
from media_worker.codecs import VideoCodec, codec_preferences
from media_worker.peer import WorkerPeer
from media_worker.rooms import RoomManager
from media_worker.signaling import parse_offer


class ForwardingWorker:
    def __init__(self) -> None:
        self.rooms = RoomManager(ice_servers=[], max_participants=2)

    async def join(self, room: str, participant: str, offer: str) -> str:
        return await self.rooms.join(room, participant, offer)

    def counters(self) -> dict[str, int]:
        tracks = [t for p in self.rooms.peers() for slot in p.slots for t in slot.values()]
        return {
            "forwarded": sum(t.forwarded for t in tracks),
            "dropped": sum(t.dropped for t in tracks),
            "retransmitted": sum(t.retransmitted for t in tracks),
        }

    async def close(self) -> None:
        await self.rooms.close()


class FloorWorker(ForwardingWorker):
    """Each received packet, once decrypted, is encrypted and sent as it is to the other
    participant: no header read, statistics, NACK tracking, keyframe gate, rewriting,
    history or header writing, only what stays whatever the logic (the socket calls, SRTP
    both ways, the event loop, aiortc's RTCP). A benchmark instrument, not a forwarder:
    the receiving end sees the publisher's own SSRC and numbering.
    """

    def __init__(self) -> None:
        super().__init__()
        self._legs: dict[bytes, list[OutboundLeg]] = {}

    async def join(self, room: str, participant: str, offer: str) -> str:
        answer = await super().join(room, participant, offer)
        for peer in self.rooms.peers():
            for tap in _taps(peer):
                if "handle_decrypted" not in vars(tap):  # not shortcut yet
                    tap.handle_decrypted = self._shortcut(tap.handle_decrypted)  # type: ignore[method-assign]
        return answer

    def _shortcut(self, forward: Callable[[bytes], bool]) -> Callable[[bytes], bool]:
        legs = self._legs

        def send_as_is(data: bytes) -> bool:
            targets = legs.get(data[8:12])
            if targets is None:  # a stream not seen yet: forwarded normally, then learnt
                handled = forward(data)
                self._learn()
                return handled
            for leg in targets:
                leg._transmit(data)
            return True

        return send_as_is

    def _learn(self) -> None:
        for peer in self.rooms.peers():
            for kind, inbound in peer.inbound.items():
                if inbound.media_ssrc is not None:
                    subscribers = peer.publications[kind].subscribers
                    legs = [t._leg for t in subscribers if isinstance(t._leg, OutboundLeg)]
                    self._legs[inbound.media_ssrc.to_bytes(4, "big")] = legs


def _taps(peer: WorkerPeer) -> list[RtpTap]:
    """The peer's taps, from the socket callbacks `receive_inline` installed."""
    taps = []
    for transceiver in peer.own_transceivers.values():
        connection = transceiver.receiver.transport.transport._connection
        for protocol in connection._protocols:
            inline = protocol.datagram_received
            tap = getattr(inline, "_tap", None)
            if isinstance(tap, RtpTap) and tap not in taps:
                taps.append(tap)
    return taps


class TranscodingWorker:
    def __init__(self) -> None:
        self.relay = MediaRelay()
        self.pcs: list[RTCPeerConnection] = []
        self.members: dict[str, list[tuple[dict[str, Any], dict[str, RTCRtpSender]]]] = {}

    async def join(self, room: str, participant: str, offer: str) -> str:
        pc = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        self.pcs.append(pc)
        own: dict[str, RTCRtpTransceiver] = {}
        slot: dict[str, RTCRtpTransceiver] = {}
        for section in parse_offer(offer, max_slots=1).sections:
            direction = "recvonly" if section.is_own else "sendonly"
            transceiver = pc.addTransceiver(section.kind, direction=direction)
            transceiver.setCodecPreferences(codec_preferences(section.kind, VideoCodec.VP8))
            (own if section.is_own else slot)[section.kind] = transceiver
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        tracks = {kind: t.receiver.track for kind, t in own.items()}
        senders = {kind: t.sender for kind, t in slot.items()}
        for other_tracks, other_senders in self.members.get(room, []):
            self._show(other_tracks, senders)
            self._show(tracks, other_senders)
        self.members.setdefault(room, []).append((tracks, senders))
        return pc.localDescription.sdp

    def _show(self, tracks: dict[str, MediaStreamTrack], senders: dict[str, RTCRtpSender]) -> None:
        for kind, sender in senders.items():
            sender.replaceTrack(self.relay.subscribe(tracks[kind]))

    def counters(self) -> dict[str, int]:
        return {}

    async def close(self) -> None:
        for pc in self.pcs:
            await pc.close()


def main(conn: Connection, mode: str, loop: str = "asyncio") -> None:
    """Serve the parent on `loop`: "asyncio" (the standard selector loop) or "uvloop"."""
    if loop == "uvloop":
        import uvloop

        uvloop.run(_serve(conn, mode))
    else:
        asyncio.run(_serve(conn, mode))


async def _serve(conn: Connection, mode: str) -> None:
    workers = {"forward": ForwardingWorker, "floor": FloorWorker, "transcode": TranscodingWorker}
    worker = workers[mode]()
    requests: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    loop.add_reader(conn.fileno(), lambda: requests.put_nowait(conn.recv()))
    try:
        while True:
            command, *args = await requests.get()
            if command == "stop":
                break
            if command == "join":
                conn.send(await worker.join(*args))
            elif command == "cpu":
                times = os.times()
                conn.send((times.user, times.system))
            elif command == "pid":
                conn.send(os.getpid())
            elif command == "counters":
                conn.send(worker.counters())
    finally:
        loop.remove_reader(conn.fileno())
        await worker.close()
        conn.send("stopped")
