"""Hooks into aiortc's internals for encoded frames and feedback, and `check_compatible()`.

`check_compatible()` checks the premises of every aiortc hook, these and those of
`packet_path` (the worker's RTP data path). The worker itself forwards RTP packets
(`packet_path`) and uses from here `intercept_feedback`, `UpstreamFeedback` and
`inbound_statistics`; the frame-level hooks (`install_pass_through`, `install_packetizer`)
serve the benchmark's and the tests' clients, which read whole encoded frames.

Checked against aiortc 1.16.0 with PyAV 18.1 (see `CHECKED_AIORTC_VERSION`). aiortc has no
public API for forwarding encoded media, so the worker changes a few private parts of the
receivers and senders *it* creates. Every hook works on one object (one receiver or one
sender), never on a class or a module: a normal aiortc peer connection in the same process
(a test client, or the benchmark's transcoding `MediaRelay`) keeps its decoders and encoders.

Receive side, `install_pass_through(receiver, mime_type)`:
  - The receiver's jitter buffer (`_RTCRtpReceiver__jitter_buffer`) becomes a
    `JitterBufferAdapter` around an assembler from `media_worker.forwarding.assembly`: the stock
    buffer holds video until the *next* frame's first packet arrives (one frame, 33 ms at
    30 fps) and audio for four packets (80 ms); the assemblers release a video frame as
    soon as it is whole and audio packet by packet, never waiting for an audio gap. The
    adapter reads the depayloaded data aiortc leaves on each packet (`RtpPacket._data`).
  - The receiver's decoder queue (`_RTCRtpReceiver__decoder_queue`, a `queue.Queue` read
    by a decoder thread) becomes a `PassThroughQueue`: `put()` turns each whole frame into
    an `av.Packet` (pts = RTP timestamp unwrapped from the first frame, time_base =
    1/clock rate, `is_keyframe` set) and puts it on the receiver's track queue, in the
    event loop, at once. The decoder thread that `receive()` still starts only waits for
    the stop sentinel, so aiortc's `get_decoder` is never called and the receiver's track
    yields encoded packets.
Send side:
  - `install_packetizer(sender, mime_type)` sets the sender's encoder
    (`_RTCRtpSender__encoder`) to a `Packetizer` before the first frame, so aiortc's
    `get_encoder` is never called; `pack()` reuses aiortc's RTP payloaders (VP8, H.264,
    Opus) and `encode()` raises `TranscodingForbidden`.
  - `intercept_feedback(sender, ...)` wraps the sender's `_handle_rtcp_packet`: the stock
    sender answers a PLI/FIR only by flagging its encoder (which does nothing when it packs
    packets) and a REMB only by retargeting its encoder. The wrapper reports both to the
    forwarding layer, then calls the original (RTT statistics, NACK answers).
Upstream feedback, `UpstreamFeedback(pass_through_receiver)`:
  - `request_keyframe()` sends a PLI for the publisher's SSRC (`_send_rtcp_pli`).
  - `cap_bitrate(bps)` sends a REMB of the lowest subscriber estimate at once whenever it
    changes by more than 3 % (the worker's packet path runs no estimator of its own), and
    clamps any REMB the receiver's own estimator sends (a wrapper around its `_send_rtcp`)
    to it, so a subscriber on a poor link lowers the publisher's bitrate.
Statistics: `PassThroughReceiver.statistics()` reads the receiver's per-SSRC statistics
(`_RTCRtpReceiver__remote_streams`) for the publisher's media SSRC, not its RTX SSRC.
Verification: the tests' `codec_spy` records which receivers and senders create a codec.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

import aiortc
import av
from aiortc import (
    RTCRtpReceiver,
    RTCRtpSender,
    rtcdtlstransport,
    rtcrtpreceiver,
    rtcrtpsender,
)
from aiortc import rtp as aiortc_rtp
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from media_worker.aiortc_hooks import outbound, packet_path, srtp
from media_worker.aiortc_hooks.background import spawn
from media_worker.aiortc_hooks.introspection import code_names, require_attributes
from media_worker.aiortc_hooks.outbound import TranscodingForbidden
from media_worker.errors import IncompatibleAiortc
from media_worker.forwarding.assembly import (
    AudioPassThrough,
    Frame,
    TimestampUnwrapper,
    VideoFrameAssembler,
)
from media_worker.forwarding.bitstream import keyframe_detector

logger = logging.getLogger(__name__)

CHECKED_AIORTC_VERSION = "1.16.0"

#: Lowest REMB passed upstream, so one bad estimate cannot starve the publisher.
MIN_REMB_BPS = 100_000
#: A cap this close (relative) to the REMB last sent upstream is not sent again.
REMB_TOLERANCE = 0.03


_RECEIVER_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"
_RECEIVER_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
_RECEIVER_RTCP_SSRC = "_RTCRtpReceiver__rtcp_ssrc"
_RECEIVER_REMOTE_STREAMS = "_RTCRtpReceiver__remote_streams"
_SENDER_ENCODER = "_RTCRtpSender__encoder"


# --- receive side -------------------------------------------------------------------------


@dataclass(slots=True)
class AssembledFrames:
    """What a replaced jitter buffer hands the receiver: whole frames, oldest first.

    The receiver overwrites `timestamp` with its own mapping; `PassThroughQueue` ignores it
    and unwraps each frame's RTP timestamp itself.
    """

    frames: list[Frame]
    timestamp: int = 0


class JitterBufferAdapter:
    """Stands in for a receiver's jitter buffer, feeding its packets to an assembler."""

    def __init__(self, assembler: AudioPassThrough | VideoFrameAssembler) -> None:
        self.assembler = assembler
        self.media_ssrc: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, AssembledFrames | None]:
        self.media_ssrc = packet.ssrc  # after RTX unwrapping: the publisher's media SSRC
        data: bytes = packet._data  # type: ignore[attr-defined]  # set by the receiver
        keyframe_wanted, frames = self.assembler.add(
            packet.sequence_number, packet.timestamp, bool(packet.marker), data
        )
        return keyframe_wanted, AssembledFrames(frames) if frames else None


class PassThroughQueue:
    """Stands in for a receiver's decoder queue: whole frames become `av.Packet`s at once."""

    def __init__(self, receiver: RTCRtpReceiver, clock_rate: int) -> None:
        self._receiver = receiver
        self._time_base = Fraction(1, clock_rate)
        self._timestamps = TimestampUnwrapper()
        self._stopped = threading.Event()

    def put(self, item: tuple[Any, AssembledFrames] | None) -> None:
        if item is None:
            self._stopped.set()
            return
        track_queue: asyncio.Queue[av.Packet[Any] | None] = self._receiver._track._queue  # type: ignore[union-attr]
        for data, timestamp, keyframe in item[1].frames:
            packet = av.Packet(data)
            packet.pts = self._timestamps.unwrap(timestamp)
            packet.time_base = self._time_base
            packet.is_keyframe = keyframe
            track_queue.put_nowait(packet)

    def get(self) -> None:
        """Called by the idle decoder thread: returns the stop sentinel when stopped."""
        self._stopped.wait()


class PassThroughReceiver:
    """A receiver whose track yields encoded packets, with what the hooks know about it."""

    def __init__(self, receiver: RTCRtpReceiver, jitter_buffer: JitterBufferAdapter) -> None:
        self.receiver = receiver
        self._jitter_buffer = jitter_buffer

    @property
    def media_ssrc(self) -> int | None:
        """The publisher's media SSRC, once a packet arrived."""
        return self._jitter_buffer.media_ssrc

    def statistics(self) -> InboundStatistics | None:
        return inbound_statistics(self)


class Inbound(Protocol):
    """A receiver the worker hooked, with the publisher's media SSRC once known."""

    @property
    def receiver(self) -> RTCRtpReceiver: ...

    @property
    def media_ssrc(self) -> int | None: ...


def inbound_statistics(inbound: Inbound) -> InboundStatistics | None:
    """The receiver's statistics for the publisher's media SSRC (not its RTX SSRC).

    `RTCRtpReceiver.getStats()` reports one stream per receiver and, once a retransmission
    arrived, that may be the RTX stream's.
    """
    streams = getattr(inbound.receiver, _RECEIVER_REMOTE_STREAMS)
    stream = streams.get(inbound.media_ssrc)
    if stream is None:
        return None
    return InboundStatistics(stream.packets_received, stream.packets_lost, stream.jitter)


@dataclass(frozen=True)
class InboundStatistics:
    """What a receiver measured on the publisher's media stream."""

    packets_received: int
    packets_lost: int
    jitter: int  # RFC 3550 interarrival jitter, in RTP timestamp units


def install_pass_through(receiver: RTCRtpReceiver, mime_type: str) -> PassThroughReceiver:
    """Make `receiver` yield encoded `av.Packet`s; call before the connection starts."""
    require_attributes(receiver, (_RECEIVER_JITTER_BUFFER, _RECEIVER_DECODER_QUEUE))
    assembler: AudioPassThrough | VideoFrameAssembler
    if mime_type.lower().startswith("audio/"):
        assembler, clock_rate = AudioPassThrough(), 48000
    else:
        assembler, clock_rate = VideoFrameAssembler(keyframe_detector(mime_type)), 90000
    jitter_buffer = JitterBufferAdapter(assembler)
    setattr(receiver, _RECEIVER_JITTER_BUFFER, jitter_buffer)
    setattr(receiver, _RECEIVER_DECODER_QUEUE, PassThroughQueue(receiver, clock_rate))
    return PassThroughReceiver(receiver, jitter_buffer)


# --- send side ----------------------------------------------------------------------------


class Packetizer:
    """A sender's "encoder" that only packetizes already-encoded packets."""

    def __init__(
        self, mime_type: str, pts_of: Callable[[av.Packet[Any]], int] | None = None
    ) -> None:
        name = mime_type.lower()
        self._pts_of = pts_of or _own_pts
        self._clock_rate = 90000 if name.startswith("video/") else 48000
        self._picture_id = 0
        packers: dict[str, Callable[[bytes], list[bytes]]] = {
            "video/vp8": self._pack_vp8,
            "video/h264": _pack_h264,
            "audio/opus": _pack_single,
        }
        if name not in packers:
            raise ValueError(f"cannot forward {mime_type}")
        self._pack = packers[name]

    def encode(self, frame: object, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        raise TranscodingForbidden("a forwarding sender received a raw frame")

    def pack(self, packet: av.Packet[Any]) -> tuple[list[bytes], int]:
        time_base = packet.time_base
        assert packet.pts is not None and time_base is not None
        pts = self._pts_of(packet)
        timestamp = pts * time_base.numerator * self._clock_rate // time_base.denominator
        return self._pack(bytes(packet)), timestamp

    def _pack_vp8(self, data: bytes) -> list[bytes]:
        payloads: list[bytes] = Vp8Encoder._packetize(data, self._picture_id)
        self._picture_id = (self._picture_id + 1) % (1 << 15)
        return payloads


def _own_pts(packet: av.Packet[Any]) -> int:
    assert packet.pts is not None
    return int(packet.pts)


def _pack_h264(data: bytes) -> list[bytes]:
    return H264Encoder._packetize(H264Encoder._split_bitstream(data))


def _pack_single(data: bytes) -> list[bytes]:
    return [data]


def install_packetizer(
    sender: RTCRtpSender,
    mime_type: str,
    pts_of: Callable[[av.Packet[Any]], int] | None = None,
) -> Packetizer:
    """Make `sender` packetize packets without ever creating an encoder.

    `pts_of` gives the timestamp to send each packet with (default: its own `pts`).
    """
    require_attributes(sender, (_SENDER_ENCODER,))
    packetizer = Packetizer(mime_type, pts_of)
    setattr(sender, _SENDER_ENCODER, packetizer)
    return packetizer


def intercept_feedback(
    sender: RTCRtpSender,
    *,
    on_keyframe_request: Callable[[], None],
    on_remb: Callable[[int], None],
    on_nack: Callable[[list[int]], None] | None = None,
) -> None:
    """Report PLI/FIR and REMB received for `sender`'s stream, then handle them as usual.

    With `on_nack`, NACKs go to it instead of the stock sender (whose history is empty when
    the worker sends packets itself, `packet_path.OutboundLeg`).
    """
    original = sender._handle_rtcp_packet

    async def handle_rtcp_packet(packet: aiortc_rtp.AnyRtcpPacket) -> None:
        if (
            on_nack is not None
            and isinstance(packet, aiortc_rtp.RtcpRtpfbPacket)
            and packet.fmt == aiortc_rtp.RTCP_RTPFB_NACK
        ):
            on_nack(packet.lost)
            return
        if isinstance(packet, aiortc_rtp.RtcpPsfbPacket):
            if packet.fmt in (aiortc_rtp.RTCP_PSFB_PLI, aiortc_rtp.RTCP_PSFB_FIR):
                on_keyframe_request()
            elif packet.fmt == aiortc_rtp.RTCP_PSFB_APP:
                remb = _parse_remb(packet.fci)
                if remb is not None and sender._ssrc in remb[1]:
                    on_remb(remb[0])
        await original(packet)

    sender._handle_rtcp_packet = handle_rtcp_packet  # type: ignore[method-assign]


# --- upstream feedback --------------------------------------------------------------------


class UpstreamFeedback:
    """Keyframe requests and bitrate caps sent from a forwarding receiver to its publisher."""

    def __init__(self, inbound: Inbound) -> None:
        self._inbound = inbound
        self._receiver = receiver = inbound.receiver
        self._cap: int | None = None
        self._last_remb: int | None = None
        self._send_rtcp = receiver._send_rtcp
        receiver._send_rtcp = self._send_clamped  # type: ignore[method-assign]

    def request_keyframe(self) -> bool:
        """Send a PLI for the publisher's stream; False while its SSRC is still unknown."""
        ssrc = self._inbound.media_ssrc
        if ssrc is None:
            return False
        spawn(self._receiver._send_rtcp_pli(ssrc))
        return True

    def cap_bitrate(self, bps: int | None) -> None:
        """Limit the REMB sent upstream to `bps` (None: no limit); send it now if lower."""
        self._cap = None if bps is None else max(bps, MIN_REMB_BPS)
        ssrc = self._inbound.media_ssrc
        rtcp_ssrc = getattr(self._receiver, _RECEIVER_RTCP_SSRC)
        if self._cap is None or ssrc is None or rtcp_ssrc is None:
            return
        if self._last_remb is None or not _close(self._cap, self._last_remb):
            packet = aiortc_rtp.RtcpPsfbPacket(
                fmt=aiortc_rtp.RTCP_PSFB_APP,
                ssrc=rtcp_ssrc,
                media_ssrc=0,
                fci=aiortc_rtp.pack_remb_fci(self._cap, [ssrc]),
            )
            spawn(self._send_clamped(packet))

    async def _send_clamped(self, packet: aiortc_rtp.AnyRtcpPacket) -> None:
        if isinstance(packet, aiortc_rtp.RtcpPsfbPacket) and packet.fmt == (
            aiortc_rtp.RTCP_PSFB_APP
        ):
            remb = _parse_remb(packet.fci)
            if remb is not None:
                bitrate = remb[0] if self._cap is None else min(remb[0], self._cap)
                packet.fci = aiortc_rtp.pack_remb_fci(bitrate, remb[1])
                self._last_remb = bitrate
        await self._send_rtcp(packet)


def _close(bps: int, reference: int) -> bool:
    """Within `REMB_TOLERANCE` of `reference`: not worth a REMB of its own."""
    return abs(bps - reference) <= REMB_TOLERANCE * reference


def _parse_remb(fci: bytes) -> tuple[int, list[int]] | None:
    try:
        bitrate, ssrcs = aiortc_rtp.unpack_remb_fci(fci)
    except ValueError:
        return None
    return bitrate, ssrcs


# --- verification -------------------------------------------------------------------------


# --- compatibility ------------------------------------------------------------------------


def _expectations() -> list[tuple[str, Callable[..., Any], set[str]]]:
    """(what, function, names its bytecode must use) for every internal the hooks rely on."""
    receiver, sender = RTCRtpReceiver, RTCRtpSender
    return [
        (
            "RTCRtpReceiver.__init__ creates the jitter buffer, decoder queue, RTCP SSRC",
            receiver.__init__,
            {
                _RECEIVER_JITTER_BUFFER,
                _RECEIVER_DECODER_QUEUE,
                _RECEIVER_RTCP_SSRC,
                _RECEIVER_REMOTE_STREAMS,
            },
        ),
        (
            "RTCRtpReceiver keeps StreamStatistics per SSRC",
            rtcrtpreceiver.StreamStatistics.__init__,
            {"packets_received"},
        ),
        (
            "RTCRtpReceiver.receive starts decoder_worker on the decoder queue",
            receiver.receive,
            {"decoder_worker", _RECEIVER_DECODER_QUEUE, "_queue"},
        ),
        (
            "RTCRtpReceiver._handle_rtp_packet feeds the jitter buffer, then the queue",
            receiver._handle_rtp_packet,
            {_RECEIVER_JITTER_BUFFER, "add", _RECEIVER_DECODER_QUEUE, "put", "_send_rtcp_pli"},
        ),
        (
            "RTCRtpReceiver._handle_rtp_packet leaves the depayloaded data in packet._data",
            receiver._handle_rtp_packet,
            {"depayload", "_data"},
        ),
        (
            "RTCRtpReceiver._handle_rtp_packet sends REMB through _send_rtcp",
            receiver._handle_rtp_packet,
            {"_send_rtcp", "pack_remb_fci"},
        ),
        (
            "RTCRtpReceiver._send_rtcp_pli builds a PLI for a media SSRC",
            receiver._send_rtcp_pli,
            {"RtcpPsfbPacket", "RTCP_PSFB_PLI", "_send_rtcp"},
        ),
        (
            "decoder_worker reads its input queue with get() and stops on None",
            rtcrtpreceiver.decoder_worker,
            {"get", "get_decoder"},
        ),
        (
            "RTCRtpSender._next_encoded_frame only creates an encoder when it has none",
            sender._next_encoded_frame,
            {_SENDER_ENCODER, "get_encoder", "pack"},
        ),
        (
            "RTCRtpSender._handle_rtcp_packet handles PLI/FIR and REMB",
            sender._handle_rtcp_packet,
            {"RTCP_PSFB_PLI", "RTCP_PSFB_FIR", "unpack_remb_fci", "_ssrc"},
        ),
        (
            "RTCDtlsTransport._handle_rtcp_data dispatches through _handle_rtcp_packet",
            rtcdtlstransport.RTCDtlsTransport._handle_rtcp_data,
            {"_handle_rtcp_packet"},
        ),
        (
            "RemoteStreamTrack keeps its frames in _queue",
            rtcrtpreceiver.RemoteStreamTrack.__init__,
            {"_queue"},
        ),
    ]


class _StubTransport:
    state = "new"


def check_compatible() -> None:
    """Raise `IncompatibleAiortc` naming what changed if a hook's premise no longer holds."""
    problems = []
    for what, function, names in _expectations():
        missing = names - code_names(function)
        if missing:
            problems.append(f"{what}: no longer uses {sorted(missing)}")
    required: dict[object, tuple[str, ...]] = {
        rtcrtpreceiver: ("get_decoder", "decoder_worker", "RemoteStreamTrack"),
        rtcrtpreceiver.StreamStatistics: ("packets_lost", "jitter"),
        rtcrtpsender: ("get_encoder",),
        aiortc_rtp: (
            "RtcpPsfbPacket",
            "RTCP_PSFB_APP",
            "RTCP_PSFB_FIR",
            "RTCP_PSFB_PLI",
            "pack_remb_fci",
            "unpack_remb_fci",
        ),
        Vp8Encoder: ("_packetize",),
        H264Encoder: ("_packetize", "_split_bitstream"),
    }
    for owner, attributes in required.items():
        for name in attributes:
            if not hasattr(owner, name):
                problems.append(f"{getattr(owner, '__name__', owner)}.{name} is gone")
    receiver = RTCRtpReceiver("video", _StubTransport())  # type: ignore[arg-type]
    if not isinstance(getattr(receiver, _RECEIVER_JITTER_BUFFER, None), JitterBuffer):
        problems.append("RTCRtpReceiver no longer holds a JitterBuffer")
    if not isinstance(getattr(receiver, _RECEIVER_DECODER_QUEUE, None), queue.Queue):
        problems.append("RTCRtpReceiver no longer holds a queue.Queue for its decoder")
    problems += packet_path.problems() + outbound.problems() + srtp.problems()
    if problems:
        raise IncompatibleAiortc(
            f"aiortc {aiortc.__version__} breaks media_worker.aiortc_hooks.pass_through "
            f"(checked against "
            f"{CHECKED_AIORTC_VERSION}): " + "; ".join(problems)
        )
    if aiortc.__version__ != CHECKED_AIORTC_VERSION:
        logger.warning(
            "aiortc version differs from the one the hooks were checked against",
            extra={"aiortc": aiortc.__version__, "checked": CHECKED_AIORTC_VERSION},
        )
