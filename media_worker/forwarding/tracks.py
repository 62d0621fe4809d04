"""Packet fan-out: one published stream to its subscribers, RTP packet by RTP packet.

A `Publication` is fed each RTP packet its publisher sends (decrypted, RTX unwrapped, see
`aiortc_hooks.packet_path`) and forwards it at once, in the same call, to every attached
`SubscriberTrack`, which rewrites its sequence number and timestamp onto the subscriber's
own timeline and hands it to its leg (`Leg`: the subscriber's sender, which sets its SSRC
and payload type, encrypts and sends). No decoding, no frame reassembly, no queue, no
task and no coroutine between receiving a packet and sending its copies: plain calls.

- What a subscriber shows changes by attaching it to another publication (a slot
  switch), never by renegotiating; the worker sender of a `SubscriberTrack` never reads a
  frame from it: `recv()` only tells that the sender started (its connection is up) and
  then waits until the track stops.
- Keyframes: a video subscriber forwards nothing until a packet that starts a keyframe
  (told from the payload descriptor), and asks the publisher for one as soon as its sender
  starts and whenever it is attached to another publication, so a late joiner sees video
  at once; and again (rate-limited) for each delta packet it has to drop meanwhile, since
  a request made before the publisher's first packet, or the keyframe itself, may be
  lost. Until its sender starts, a subscriber forwards nothing.
  PLI/FIR from subscribers are passed upstream, rate-limited by `KeyframeRequests`.
- Loss: each subscriber keeps what it sent (`RetransmissionHistory`) and answers its
  browser's NACKs from it (the leg wraps them in RTX where negotiated).
- Bandwidth: each subscriber's REMB is kept; the lowest is sent upstream as the REMB.
- Sequence numbers and timestamps stay continuous across switches (`timeline`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import av
from aiortc import MediaStreamError, MediaStreamTrack

from media_worker.forwarding.history import RetransmissionHistory, SentPacket
from media_worker.forwarding.keyframes import KeyframeRequests
from media_worker.forwarding.rtp import RtpPacket
from media_worker.forwarding.timeline import OutgoingTimeline

logger = logging.getLogger(__name__)

RATE_WINDOW = 2.0
CLOCK_RATES = {"audio": 48000, "video": 90000}


class Upstream(Protocol):
    """Feedback towards the publisher (implemented by `aiortc_hooks.UpstreamFeedback`)."""

    def request_keyframe(self) -> bool: ...

    def cap_bitrate(self, bps: int | None) -> None: ...


class Leg(Protocol):
    """The subscriber's side of the worker (implemented by `aiortc_hooks.OutboundLeg`)."""

    def send(self, packet: SentPacket) -> None:
        """Send `packet` with the leg's SSRC and payload type (encrypted), now."""
        ...

    def retransmit(self, packet: SentPacket) -> None:
        """Send `packet` again (wrapped in RTX where negotiated)."""
        ...


class RateMeter:
    """Received bits per second over the last `window` seconds."""

    def __init__(
        self, window: float = RATE_WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._window = window
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()
        self._bytes_in_window = 0
        self._started: float | None = None

    def add(self, size: int) -> None:
        now = self._clock()
        if self._started is None:
            self._started = now
        self._samples.append((now, size))
        self._bytes_in_window += size
        self._trim(now)

    def bits_per_second(self) -> float:
        now = self._clock()
        self._trim(now)
        if self._started is None:
            return 0.0
        span = min(self._window, now - self._started)
        return self._bytes_in_window * 8 / span if span > 0 else 0.0

    def _trim(self, now: float) -> None:
        while self._samples and self._samples[0][0] < now - self._window:
            self._bytes_in_window -= self._samples.popleft()[1]


class SubscriberTrack(MediaStreamTrack):
    """What one worker sender forwards; shows whichever publication it is attached to."""

    def __init__(self, kind: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.kind = kind
        self._leg: Leg | None = None
        self._publication: Publication | None = None
        self._new_source = True
        self._timeline = OutgoingTimeline(CLOCK_RATES[kind], clock)
        self._history = RetransmissionHistory()
        self._waiting_for_keyframe = kind == "video"
        self._reading = False
        self._stopped: asyncio.Event | None = None
        self.forwarded = 0
        self.dropped = 0
        self.retransmitted = 0

    @property
    def publication(self) -> Publication | None:
        return self._publication

    def bind(self, leg: Leg) -> None:
        """The leg this track's packets leave through (its sender)."""
        self._leg = leg

    def attach(self, publication: Publication) -> None:
        if publication is self._publication:
            return
        self.detach()
        self._publication = publication
        self._new_source = True
        self._waiting_for_keyframe = self.kind == "video"
        publication.subscribe(self)
        if self._reading:
            publication.request_keyframe()

    def detach(self) -> None:
        if self._publication is not None:
            self._publication.unsubscribe(self)
            self._publication = None

    def forward(self, packet: RtpPacket) -> None:
        """Send a packet of the attached publication to the subscriber, now."""
        leg = self._leg
        if not self._reading or leg is None:
            return
        if self._waiting_for_keyframe:
            if not packet.keyframe:
                self.dropped += 1
                if self._publication is not None:  # the request may have been lost
                    self._publication.request_keyframe()
                return
            self._waiting_for_keyframe = False
        if self._new_source:
            self._new_source = False
            self._timeline.start_source(packet.sequence_number, packet.timestamp)
        rewritten = self._timeline.rewrite(packet.sequence_number, packet.timestamp)
        if rewritten is None:
            return
        sent = SentPacket(rewritten[0], rewritten[1], packet.marker, packet.payload)
        self._history.add(sent)
        self.forwarded += 1
        leg.send(sent)

    def on_nack(self, sequence_numbers: Iterable[int]) -> None:
        """The subscriber's browser reported packets lost: send them again from history."""
        leg = self._leg
        if leg is None:
            return
        for sequence_number in sequence_numbers:
            packet = self._history.get(sequence_number)
            if packet is not None:
                self.retransmitted += 1
                leg.retransmit(packet)

    async def recv(self) -> av.Packet[Any]:
        """Called once by the worker sender when it starts; returns only by raising."""
        if self.readyState != "live":
            raise MediaStreamError
        if not self._reading:
            self._reading = True
            if self._publication is not None:
                self._publication.request_keyframe()
        if self._stopped is None:
            self._stopped = asyncio.Event()
        await self._stopped.wait()
        raise MediaStreamError

    def stop(self) -> None:
        self.detach()
        if self._stopped is not None:
            self._stopped.set()
        super().stop()

    def on_keyframe_request(self) -> None:
        """The subscriber's browser asked for a keyframe (PLI/FIR)."""
        if self._publication is not None:
            self._publication.request_keyframe()

    def on_remb(self, bps: int) -> None:
        """The subscriber's browser estimated the bitrate it can receive."""
        if self._publication is not None:
            self._publication.report_estimate(self, bps)


class Publication:
    """One participant's published track, fanned out to the attached subscribers."""

    def __init__(
        self,
        kind: str,
        upstream: Upstream,
        *,
        metered: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`metered`: measure the received bitrate (the device check's echo shows it)."""
        self.kind = kind
        self._upstream = upstream
        self._subscribers: set[SubscriberTrack] = set()
        self._estimates: dict[SubscriberTrack, int] = {}
        self._keyframes = KeyframeRequests(upstream.request_keyframe, clock=clock)
        self._fan_out: tuple[SubscriberTrack, ...] = ()
        self._received = RateMeter(clock=clock) if metered else None
        self.packets_received = 0

    @property
    def keyframe_requests_sent(self) -> int:
        return self._keyframes.sent

    @property
    def bitrate_cap(self) -> int | None:
        """The lowest bitrate a subscriber estimated it can receive (REMB), if any."""
        return min(self._estimates.values(), default=None)

    def received_bits_per_second(self) -> float:
        """The publisher's recent bitrate, if `metered` (0.0 otherwise)."""
        return 0.0 if self._received is None else self._received.bits_per_second()

    @property
    def subscribers(self) -> frozenset[SubscriberTrack]:
        return frozenset(self._subscribers)

    def forward(self, packet: RtpPacket) -> None:
        """A packet from the publisher: send it to every subscriber, in this call."""
        self.packets_received += 1
        if self._received is not None:
            self._received.add(len(packet.payload))
        for subscriber in self._fan_out:  # a snapshot: subscribers may change meanwhile
            subscriber.forward(packet)

    def subscribe(self, subscriber: SubscriberTrack) -> None:
        self._subscribers.add(subscriber)
        self._fan_out = tuple(self._subscribers)

    def unsubscribe(self, subscriber: SubscriberTrack) -> None:
        self._subscribers.discard(subscriber)
        self._fan_out = tuple(self._subscribers)
        if self._estimates.pop(subscriber, None) is not None:
            self._update_cap()

    def request_keyframe(self) -> None:
        if self.kind == "video":
            self._keyframes.request()

    def report_estimate(self, subscriber: SubscriberTrack, bps: int) -> None:
        self._estimates[subscriber] = bps
        self._update_cap()

    async def close(self) -> None:
        self._keyframes.close()
        for subscriber in list(self._subscribers):
            subscriber.detach()

    def _update_cap(self) -> None:
        self._upstream.cap_bitrate(self.bitrate_cap)
