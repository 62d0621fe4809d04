"""The device check's connection test: the browser's own media looped back, with statistics.

An echo session is one `WorkerPeer` in loop-back mode: the browser's own audio and video go
through the same pass-through receivers, publications and packetizing senders as in a room
(no decoding), and come back on the same transceivers. The statistics measure the real
media path through the worker, per kind:

- `uplink`, browser → worker, measured by the worker's receiver: `packets_received`,
  `packets_lost`, `packet_loss` (lost / expected), `jitter_ms` (RFC 3550 interarrival
  jitter).
- `downlink`, worker → browser, from the browser's RTCP receiver reports:
  `packets_lost`, `packet_loss` (lost / sent), `jitter_ms`.
- `rtt_ms`: round-trip time worker → browser → worker, from the browser's receiver reports
  answering the worker's sender reports (LSR/DLSR); None until the first matching report,
  typically within 1 to 3 seconds.
- `received_bitrate_kbps`: the media bitrate the worker receives from the browser over the
  last two seconds (encoded payload, without RTP/SRTP overhead).
- The kind's summary: `packet_loss` combines both legs (1 - (1 - up) * (1 - down)),
  `jitter_ms` is the larger of the two legs.
The top level summarizes both kinds (the worst `rtt_ms`, `packet_loss` and `jitter_ms`,
the total bitrate) and gives a `quality` of green, orange or red (None while unknown).
Sessions end on `stop`, when the connection fails, or after `max_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

from aiortc import RTCIceServer, RTCRtpTransceiver

from media_worker.aiortc_hooks import pass_through
from media_worker.codecs import VideoCodec
from media_worker.errors import UnknownEchoSession
from media_worker.peer import WorkerPeer

logger = logging.getLogger(__name__)

EchoStats = dict[str, Any]

CLOCK_RATES = {"audio": 48000, "video": 90000}
#: Thresholds of the device check's verdict: (green up to, orange up to); above is red.
RTT_MS = (300.0, 800.0)
LOSS = (0.02, 0.10)
JITTER_MS = (30.0, 100.0)


class EchoSessions:
    """The echo sessions of one worker."""

    def __init__(
        self, *, ice_servers: list[RTCIceServer], video_codec: VideoCodec, max_seconds: float
    ) -> None:
        self._ice_servers = ice_servers
        self._video_codec = video_codec
        self._max_seconds = max_seconds
        self._sessions: dict[str, WorkerPeer] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        self._closing = False

    def __len__(self) -> int:
        return len(self._sessions)

    def peers(self) -> list[WorkerPeer]:
        return list(self._sessions.values())

    async def start(self, offer_sdp: str) -> tuple[str, str]:
        session_id = secrets.token_urlsafe(16)
        peer, answer = await WorkerPeer.answer(
            offer_sdp,
            ice_servers=self._ice_servers,
            video_codec=self._video_codec,
            max_slots=0,
            loopback=True,
            on_ended=lambda _: self._stop_soon(session_id),
        )
        self._sessions[session_id] = peer
        loop = asyncio.get_running_loop()
        self._timers[session_id] = loop.call_later(self._max_seconds, self._stop_soon, session_id)
        logger.info("echo session started", extra={"echo_session_id": session_id})
        return session_id, answer

    async def stats(self, session_id: str) -> EchoStats:
        peer = self._peer(session_id)
        kinds = {
            kind: await _kind_stats(
                transceiver,
                peer.inbound[kind],
                peer.publications[kind].received_bits_per_second(),
            )
            for kind, transceiver in peer.own_transceivers.items()
        }
        return {**_summary(list(kinds.values())), **kinds}

    async def stop(self, session_id: str) -> None:
        peer = self._peer(session_id)
        del self._sessions[session_id]
        timer = self._timers.pop(session_id, None)
        if timer is not None:
            timer.cancel()
        await peer.close()
        logger.info("echo session stopped", extra={"echo_session_id": session_id})

    async def close(self) -> None:
        self._closing = True
        for session_id in list(self._sessions):
            await self.stop(session_id)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _peer(self, session_id: str) -> WorkerPeer:
        peer = self._sessions.get(session_id)
        if peer is None:
            raise UnknownEchoSession("no such echo session")
        return peer

    def _stop_soon(self, session_id: str) -> None:
        if session_id in self._sessions and not self._closing:
            task = asyncio.ensure_future(self.stop(session_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


async def _kind_stats(
    transceiver: RTCRtpTransceiver,
    inbound: pass_through.Inbound,
    received_bps: float,
) -> dict[str, Any]:
    clock_rate = CLOCK_RATES[transceiver.kind]
    uplink = _uplink(pass_through.inbound_statistics(inbound), clock_rate)
    downlink, rtt = _downlink(await transceiver.sender.getStats(), clock_rate)
    losses = [leg["packet_loss"] for leg in (uplink, downlink) if leg["packet_loss"] is not None]
    jitters = [leg["jitter_ms"] for leg in (uplink, downlink) if leg["jitter_ms"] is not None]
    combined_loss = None
    if losses:
        delivered = 1.0
        for loss in losses:
            delivered *= 1.0 - loss
        combined_loss = 1.0 - delivered
    return {
        "rtt_ms": None if rtt is None else rtt * 1000.0,
        "jitter_ms": max(jitters, default=None),
        "packet_loss": combined_loss,
        "received_bitrate_kbps": received_bps / 1000.0,
        "uplink": uplink,
        "downlink": downlink,
    }


def _uplink(statistics: pass_through.InboundStatistics | None, clock_rate: int) -> dict[str, Any]:
    if statistics is None:
        return {"packets_received": 0, "packets_lost": 0, "packet_loss": None, "jitter_ms": None}
    expected = statistics.packets_received + statistics.packets_lost
    return {
        "packets_received": statistics.packets_received,
        "packets_lost": statistics.packets_lost,
        "packet_loss": statistics.packets_lost / expected if expected else None,
        "jitter_ms": statistics.jitter * 1000.0 / clock_rate,
    }


def _downlink(report: Any, clock_rate: int) -> tuple[dict[str, Any], float | None]:
    sent = next((s for s in report.values() if s.type == "outbound-rtp"), None)
    remote = next((s for s in report.values() if s.type == "remote-inbound-rtp"), None)
    if remote is None or sent is None:
        return {"packets_lost": 0, "packet_loss": None, "jitter_ms": None}, None
    lost = max(remote.packetsLost, 0)
    return {
        "packets_lost": lost,
        "packet_loss": min(lost / sent.packetsSent, 1.0) if sent.packetsSent else None,
        "jitter_ms": remote.jitter * 1000.0 / clock_rate,
    }, remote.roundTripTime


def _summary(kinds: list[dict[str, Any]]) -> dict[str, Any]:
    def worst(key: str) -> float | None:
        return max((k[key] for k in kinds if k[key] is not None), default=None)

    summary = {
        "rtt_ms": worst("rtt_ms"),
        "jitter_ms": worst("jitter_ms"),
        "packet_loss": worst("packet_loss"),
        "received_bitrate_kbps": sum(k["received_bitrate_kbps"] for k in kinds),
    }
    return {**summary, "quality": _quality(summary)}


def _quality(summary: dict[str, Any]) -> str | None:
    measured = (
        (summary["rtt_ms"], RTT_MS),
        (summary["packet_loss"], LOSS),
        (summary["jitter_ms"], JITTER_MS),
    )
    if any(value is None for value, _ in measured):
        return None
    if all(value <= green for value, (green, _) in measured):
        return "green"
    if all(value <= orange for value, (_, orange) in measured):
        return "orange"
    return "red"
