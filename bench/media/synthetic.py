"""The benchmark's browsers: pre-encoded synthetic media sent and received as RTP packets.

The load must cost as little as possible, or the load generator saturates before the
worker: media is encoded and packetized once (`encode_media`: 640x480 30 fps VP8 at
~1 Mbps from lavfi's testsrc2, and Opus), then each `Participant` runs on the worker's own
packet path (`media_worker.aiortc_hooks`): a `PacketSource` sends each frame's packets on a
timer through an `OutboundLeg` of its sender (no encoder, no packetizer, no task per
frame), and each receiver is tapped in the socket's callback (`RtpTap`, `InboundStream`:
statistics, NACKs, RTX) and its packets assembled into whole frames by the worker's own
assemblers, counting frames and timing each video frame from the moment its first packet
was sent. aiortc keeps ICE, DTLS, SDP and RTCP. A PLI restarts the stream at its keyframe,
as a browser's encoder would answer it.
"""

from __future__ import annotations

import asyncio
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

from media_worker.aiortc_hooks import outbound, packet_path, pass_through
from media_worker.aiortc_hooks.background import spawn
from media_worker.codecs import VideoCodec, codec_preferences, mime_type
from media_worker.forwarding.assembly import AudioPassThrough, VideoFrameAssembler
from media_worker.forwarding.bitstream import vp8_packet_starts_keyframe
from media_worker.forwarding.history import SentPacket
from media_worker.forwarding.rtp import RtpPacket

WIDTH, HEIGHT, FPS = 640, 480, 30
VIDEO_BITRATE = 1_000_000
SECONDS = 10
#: A gap between two received video frames longer than this is a freeze (about five
#: frames at 30 fps; a viewer notices it).
FREEZE = 0.15
CLOCK_RATES = {"audio": 48_000, "video": 90_000}
PERIODS = {"audio": 0.02, "video": 1 / FPS}


@dataclass(frozen=True)
class EncodedMedia:
    """Each frame as the RTP payloads that carry it; video frame 0 is the only keyframe."""

    video: list[list[bytes]]  # VP8 payloads (RFC 7741 descriptor first)
    audio: list[list[bytes]]  # one 20 ms Opus packet each


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
    return EncodedMedia(video=_packetized(video), audio=[[p] for p in _encode_opus(seconds)])


def _packetized(frames: list[bytes]) -> list[list[bytes]]:
    """Each VP8 frame as the payloads a browser would send it in (aiortc's payloader)."""
    packetizer = pass_through.Packetizer("video/VP8")
    payloads = []
    for data in frames:
        packet = av.Packet(data)
        packet.pts, packet.time_base = 0, fractions.Fraction(1, 90_000)
        payloads.append(packetizer.pack(packet)[0])
    return payloads


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


class PacketSource:
    """Sends one kind of pre-packetized media in real time through a sender's leg.

    A timer sends each frame's packets (sequence numbers counting up, the frame's RTP
    timestamp, the marker bit on its last packet) and records when each video frame was
    sent, by its payloads (which the worker forwards unchanged).
    """

    def __init__(self, kind: str, frames: list[list[bytes]]) -> None:
        self.kind = kind
        self._frames = frames
        self._keys = [b"".join(payloads) for payloads in frames] if kind == "video" else []
        self._step = CLOCK_RATES[kind] // FPS if kind == "video" else 960
        self._period = PERIODS[kind]
        self._index = 0
        self._count = 0
        self._sequence = random.randrange(1 << 16)  # noqa: S311 - not a secret
        self._start = 0.0
        self._leg: outbound.OutboundLeg | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.sent_at: dict[bytes, float] = {}

    def start(self, leg: outbound.OutboundLeg) -> None:
        self._leg = leg
        loop = asyncio.get_running_loop()
        self._start = loop.time()
        self._timer = loop.call_at(self._start, self._tick)

    def restart_at_keyframe(self) -> None:
        if self.kind == "video":
            self._index = 0

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _tick(self) -> None:
        assert self._leg is not None
        payloads = self._frames[self._index]
        timestamp = (self._count * self._step) & 0xFFFFFFFF
        if self.kind == "video":
            self.sent_at[self._keys[self._index]] = time.monotonic()
        last = len(payloads) - 1
        for position, payload in enumerate(payloads):
            sequence = self._sequence
            self._sequence = (sequence + 1) & 0xFFFF
            self._leg.send(SentPacket(sequence, timestamp, position == last, payload))
        self._index = (self._index + 1) % len(self._frames)
        self._count += 1
        due = self._start + self._count * self._period
        self._timer = asyncio.get_running_loop().call_at(due, self._tick)


class _Silent(MediaStreamTrack):
    """The track a benchmark sender holds: it never yields (its leg sends the packets)."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self._stopped = asyncio.Event()

    async def recv(self) -> av.Packet[Any]:
        await self._stopped.wait()
        raise MediaStreamError

    def stop(self) -> None:
        self._stopped.set()
        super().stop()


@dataclass
class Inbox:
    """What one participant receives of one kind: frame times and video latencies."""

    arrivals: list[float] = field(default_factory=list)
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (arrival, latency)

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


class FrameCounter:
    """One tapped receiver's packets assembled into whole frames, counted in an inbox."""

    def __init__(self, receiver: RTCRtpReceiver, inbox: Inbox, source: PacketSource | None) -> None:
        self._receiver = receiver
        self._inbox = inbox
        self._source = source
        self._assembler: AudioPassThrough | VideoFrameAssembler
        if receiver.track.kind == "video":
            self._assembler = VideoFrameAssembler(vp8_packet_starts_keyframe)
        else:
            self._assembler = AudioPassThrough()

    def __call__(self, packet: RtpPacket) -> None:
        keyframe_wanted, frames = self._assembler.add(
            packet.sequence_number, packet.timestamp, packet.marker, packet.payload
        )
        if keyframe_wanted:
            spawn(self._receiver._send_rtcp_pli(packet.ssrc))
        if not frames:
            return
        now = time.monotonic()
        inbox, sent_at = self._inbox, self._source.sent_at if self._source else None
        for data, _, _ in frames:
            inbox.arrivals.append(now)
            sent = sent_at.get(data) if sent_at is not None else None
            if sent is not None:
                inbox.latencies.append((now, now - sent))


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
        self._senders: list[tuple[PacketSource, outbound.OutboundLeg]] = []
        self._loss = loss
        self._nack = nack
        self.dropped_on_arrival = 0
        for kind, source in self.sources.items() if sends else ():
            transceiver = self.pc.addTransceiver(_Silent(kind), direction="sendonly")
            transceiver.setCodecPreferences(codec_preferences(kind, VideoCodec.VP8))
            outbound.forbid_encoding(transceiver.sender)
            self._senders.append((source, outbound.OutboundLeg(transceiver.sender)))
            pass_through.intercept_feedback(
                transceiver.sender,
                on_keyframe_request=source.restart_at_keyframe,
                on_remb=lambda bps: None,
                on_nack=lambda lost: None,  # no loss between the generator and the worker
            )
        for _ in range(slots):
            for kind in ("audio", "video"):
                transceiver = self.pc.addTransceiver(kind, direction="recvonly")
                transceiver.setCodecPreferences(codec_preferences(kind, VideoCodec.VP8))
                packet_path.forbid_decoding(transceiver.receiver)
                self._receivers.append(transceiver)

    @property
    def receives(self) -> bool:
        return bool(self._receivers)

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def accept(self, answer: str, sender: Participant) -> None:
        """Apply the answer; `sender` is who this participant's slot shows (for latency)."""
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        self.start(sender)

    async def answer(self, offer: str, sender: Participant) -> str:
        """Answer `sender`'s offer directly, without the worker (the latency baseline)."""
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        self.start(sender)
        return self.pc.localDescription.sdp

    def start(self, sender: Participant | None) -> None:
        """Start sending, and count what the first slot receives from `sender`."""
        for source, leg in self._senders:
            source.start(leg)
        if not self._receivers:
            return
        tap = packet_path.RtpTap(self._receivers[0].receiver.transport)
        packet_path.receive_inline(tap)
        for transceiver in self._receivers[:2]:
            kind, receiver = transceiver.kind, transceiver.receiver
            inbound = packet_path.InboundStream(receiver, mime_type(kind, VideoCodec.VP8))
            source = sender.sources[kind] if sender is not None else None
            inbound.forward_to(FrameCounter(receiver, self.inboxes[kind], source))
            tap.add(inbound)
        if self._loss or not self._nack:
            self._degrade(tap)

    def _degrade(self, tap: packet_path.RtpTap) -> None:
        """Drop `loss` of the received RTP packets; without `nack`, never send a NACK.

        Seeded, so that runs compare.
        """
        deliver = tap.handle_decrypted
        chance = random.Random(13)  # noqa: S311 - a loss pattern, not a secret

        def lossy(data: bytes) -> bool:
            if chance.random() < self._loss:
                self.dropped_on_arrival += 1
                return True
            return deliver(data)

        tap.handle_decrypted = lossy  # type: ignore[method-assign]
        if not self._nack:
            for transceiver in self._receivers:
                transceiver.receiver._send_rtcp_nack = _no_nack  # type: ignore[method-assign]

    async def close(self) -> None:
        for source in self.sources.values():
            source.stop()
        await self.pc.close()


async def _no_nack(media_ssrc: int, lost: list[int]) -> None:
    return None


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
    sender.start(None)
    return [sender, receiver]
