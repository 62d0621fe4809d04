"""The benchmark's browsers: pre-encoded synthetic media sent and received without codecs.

The load must cost as little as possible, or the load generator saturates before the
worker: media is encoded once (`encode_media`, 640x480 30 fps VP8 at ~1 Mbps from lavfi's
testsrc2, and Opus), then each `Participant` sends those packets in real time
(`PacketSource`) and reads what it receives through the worker's own pass-through
receivers, counting frames and timing each video frame from the moment its sender took it.
A PLI restarts the stream at its keyframe, as a browser's encoder would answer it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import av
from aiortc import (
    MediaStreamError,
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpTransceiver,
    RTCSessionDescription,
)

from media_worker.aiortc_hooks import pass_through
from media_worker.codecs import VideoCodec, codec_preferences, mime_type

WIDTH, HEIGHT, FPS = 640, 480, 30
VIDEO_BITRATE = 1_000_000
SECONDS = 10
#: A gap between two received video frames longer than this is a freeze (about five
#: frames at 30 fps; a viewer notices it).
FREEZE = 0.15


@dataclass(frozen=True)
class EncodedMedia:
    video: list[bytes]  # frame 0 is the only keyframe
    audio: list[bytes]  # 20 ms Opus packets


def encode_media(seconds: int = SECONDS) -> EncodedMedia:
    """Encode `seconds` of synthetic VP8 and Opus once, for every participant to send."""
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    encoder.bit_rate = VIDEO_BITRATE
    encoder.time_base = fractions.Fraction(1, FPS)
    encoder.framerate = fractions.Fraction(FPS)
    encoder.gop_size = 10_000  # one keyframe; later ones only on request, like a browser
    rate = str(VIDEO_BITRATE)
    encoder.options = {
        "deadline": "realtime",
        "cpu-used": "8",
        "lag-in-frames": "0",
        "minrate": rate,
        "maxrate": rate,
        "bufsize": rate,
        "undershoot-pct": "100",
        "overshoot-pct": "15",
    }
    video: list[bytes] = []
    with av.open(f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}", format="lavfi") as source:
        for index, frame in enumerate(source.decode(video=0)):
            if index == seconds * FPS:
                break
            frame.pict_type = av.video.frame.PictureType.NONE  # lavfi flags every frame I
            frame.pts = index
            video.extend(bytes(packet) for packet in encoder.encode(frame))
    video.extend(bytes(packet) for packet in encoder.encode(None))
    return EncodedMedia(video=video, audio=_encode_opus(seconds))


def _encode_opus(seconds: int) -> list[bytes]:
    encoder = av.CodecContext.create("libopus", "w")
    encoder.bit_rate, encoder.sample_rate = 32_000, 48_000
    encoder.format, encoder.layout = "s16", "stereo"
    encoder.time_base = fractions.Fraction(1, 48_000)
    resampler = av.AudioResampler(format="s16", layout="stereo", rate=48_000, frame_size=960)
    packets: list[bytes] = []
    with av.open("sine=frequency=440:sample_rate=48000", format="lavfi") as source:
        for frame in source.decode(audio=0):
            for chunk in resampler.resample(frame):
                packets.extend(bytes(packet) for packet in encoder.encode(chunk))
            if len(packets) >= seconds * 50:
                break
    return packets


class PacketSource(MediaStreamTrack):
    """Sends pre-encoded frames in real time; records when each video frame was taken."""

    def __init__(self, kind: str, frames: list[bytes]) -> None:
        super().__init__()
        self.kind = kind
        self._frames = frames
        self._clock_rate = 90_000 if kind == "video" else 48_000
        self._step = self._clock_rate // FPS if kind == "video" else 960
        self._period = 1 / FPS if kind == "video" else 0.02
        self._index = 0
        self._count = 0
        self._start: float | None = None
        self.sent_at: dict[bytes, float] = {}

    def restart_at_keyframe(self) -> None:
        if self.kind == "video":
            self._index = 0

    async def recv(self) -> av.Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
        due = self._start + self._count * self._period
        if due > now:
            await asyncio.sleep(due - now)
        data = self._frames[self._index]
        packet = av.Packet(data)
        packet.pts = self._count * self._step
        packet.time_base = fractions.Fraction(1, self._clock_rate)
        self._index = (self._index + 1) % len(self._frames)
        self._count += 1
        if self.kind == "video":
            self.sent_at[data] = time.monotonic()
        return packet


@dataclass
class Inbox:
    """What one participant receives of one kind: frame times and video latencies."""

    arrivals: list[float] = field(default_factory=list)
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (arrival, latency)
    task: asyncio.Task[None] | None = None

    def frames_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.arrivals if start <= t < end)

    def freezes_between(self, start: float, end: float) -> tuple[int, float]:
        """(freezes, frozen seconds): gaps between frames longer than `FREEZE`."""
        times = [t for t in self.arrivals if start <= t < end]
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        frozen = [gap for gap in gaps if gap > FREEZE]
        return len(frozen), sum(frozen)

    def latencies_between(self, start: float, end: float) -> list[float]:
        return [latency for t, latency in self.latencies if start <= t < end]


class Participant:
    """One benchmark browser: its own audio+video, and `slots` receive-only pairs.

    Its own media is send-only: aiortc routes a retransmission (RTX) by payload type only,
    which fails when two video receivers share a bundle.

    `loss` (a share) of the RTP packets it receives are dropped, as a lossy last mile
    would; with `nack=False` it never asks for retransmissions (only for keyframes).
    """

    def __init__(
        self,
        media: EncodedMedia,
        *,
        sends: bool = True,
        slots: int = 1,
        loss: float = 0.0,
        nack: bool = True,
    ) -> None:
        self.pc = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        self.sources = {
            "audio": PacketSource("audio", media.audio),
            "video": PacketSource("video", media.video),
        }
        self.inboxes = {"audio": Inbox(), "video": Inbox()}
        self._receivers: list[RTCRtpTransceiver] = []
        self._loss = loss
        self._nack = nack
        self.dropped_on_arrival = 0
        for kind, source in self.sources.items() if sends else ():
            transceiver = self.pc.addTransceiver(source, direction="sendonly")
            transceiver.setCodecPreferences(codec_preferences(kind, VideoCodec.VP8))
            pass_through.intercept_feedback(
                transceiver.sender,
                on_keyframe_request=source.restart_at_keyframe,
                on_remb=lambda bps: None,
            )
        for _ in range(slots):
            for kind in ("audio", "video"):
                transceiver = self.pc.addTransceiver(kind, direction="recvonly")
                transceiver.setCodecPreferences(codec_preferences(kind, VideoCodec.VP8))
                mime = mime_type(kind, VideoCodec.VP8)
                pass_through.install_pass_through(transceiver.receiver, mime)
                self._receivers.append(transceiver)

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def accept(self, answer: str, sender: Participant) -> None:
        """Apply the answer; `sender` is who this participant's slot shows (for latency)."""
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        self.start_reading(sender)

    async def answer(self, offer: str, sender: Participant) -> str:
        """Answer `sender`'s offer directly, without the worker (the latency baseline)."""
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        self.start_reading(sender)
        return self.pc.localDescription.sdp

    def start_reading(self, sender: Participant) -> None:
        if self._receivers and (self._loss or not self._nack):
            self._degrade(self._receivers[0].receiver)
        for transceiver in self._receivers[:2]:
            inbox = self.inboxes[transceiver.kind]
            source = sender.sources[transceiver.kind]
            inbox.task = asyncio.create_task(_read(transceiver.receiver.track, inbox, source))

    def _degrade(self, receiver: RTCRtpReceiver) -> None:
        """Drop `loss` of the received RTP packets; without `nack`, never send a NACK.

        A benchmark-only hook into aiortc's internals (the DTLS transport's handler of
        decrypted RTP, the receivers' NACK sender), seeded so that runs compare.
        """
        transport = receiver.transport
        deliver = transport._handle_rtp_data
        chance = random.Random(13)  # noqa: S311 - a loss pattern, not a secret

        async def lossy(data: bytes, arrival_time_ms: int) -> None:
            if chance.random() < self._loss:
                self.dropped_on_arrival += 1
                return
            await deliver(data, arrival_time_ms)

        transport._handle_rtp_data = lossy  # type: ignore[method-assign]
        if not self._nack:
            for transceiver in self._receivers:
                transceiver.receiver._send_rtcp_nack = _no_nack  # type: ignore[method-assign]

    async def close(self) -> None:
        await self.pc.close()
        for inbox in self.inboxes.values():
            if inbox.task is not None:
                inbox.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await inbox.task


async def _no_nack(media_ssrc: int, lost: list[int]) -> None:
    return None


async def _read(track: MediaStreamTrack, inbox: Inbox, source: PacketSource | None) -> None:
    with contextlib.suppress(MediaStreamError):
        while True:
            packet = await track.recv()
            now = time.monotonic()
            inbox.arrivals.append(now)
            if source is not None and isinstance(packet, av.Packet):
                sent = source.sent_at.get(bytes(packet))
                if sent is not None:
                    inbox.latencies.append((now, now - sent))


Join = Callable[[str, str, str], Awaitable[str]]


async def connect_call(
    media: EncodedMedia, join: Join, room: str, *, loss: float = 0.0, nack: bool = True
) -> list[Participant]:
    """Two participants in `room` through the worker, each showing the other.

    The second one's last mile drops `loss` of its packets (and, without `nack`, it never
    asks for a retransmission).
    """
    first, second = Participant(media), Participant(media, loss=loss, nack=nack)
    await first.accept(await join(room, "a", await first.offer()), sender=second)
    await second.accept(await join(room, "b", await second.offer()), sender=first)
    return [first, second]


async def connect_direct(media: EncodedMedia) -> list[Participant]:
    """A sender connected straight to a receiver, without the worker (latency baseline)."""
    sender = Participant(media, slots=0)
    receiver = Participant(media, sends=False, slots=1)
    answer = await receiver.answer(await sender.offer(), sender=sender)
    await sender.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    return [sender, receiver]
