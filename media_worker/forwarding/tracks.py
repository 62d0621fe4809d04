"""Packet fan-out: one published track to its subscribers, encoded packets unchanged.

A `Publication` reads the encoded `av.Packet`s a pass-through receiver yields (see
`aiortc_hooks`) and pushes each one, as is, into every attached `SubscriberTrack`. A
`SubscriberTrack` is what one worker sender reads for the whole life of its peer
connection; what it shows changes by attaching it to another publication, never by
`replaceTrack` (the stock sender keeps awaiting `recv()` on a replaced track, so a replaced
track would have to wake it with a frame it cannot send).

- No decoding or encoding anywhere: packets are shared, not copied.
- Bounded queues: a video subscriber that falls `max_video_frames` behind is emptied and
  restarts at the next keyframe; an audio subscriber drops its oldest packet.
- Keyframes: a video subscriber skips delta frames until a keyframe arrives, and asks the
  publisher for one as soon as its sender starts reading (the subscriber's connection is
  up) and whenever it is attached to another publication, so a late joiner sees video at
  once. Until its sender reads, a subscriber queues nothing.
  PLI/FIR from subscribers are passed upstream, rate-limited by `KeyframeRequests`.
- Bandwidth: each subscriber's REMB is kept; the lowest caps the REMB sent upstream.
- Timestamps: a subscriber's outgoing timeline stays continuous when it is attached to
  another publication (`media_worker.forwarding.timeline`); its sender asks `output_pts`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

import av
from aiortc import MediaStreamError, MediaStreamTrack

from media_worker.forwarding.keyframes import KeyframeRequests
from media_worker.forwarding.timeline import OutgoingTimeline

logger = logging.getLogger(__name__)

MAX_VIDEO_FRAMES = 10
MAX_AUDIO_FRAMES = 10
RATE_WINDOW = 2.0


class Upstream(Protocol):
    """Feedback towards the publisher (implemented by `aiortc_hooks.UpstreamFeedback`)."""

    def request_keyframe(self) -> bool: ...

    def cap_bitrate(self, bps: int | None) -> None: ...


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
    """The track one worker sender reads; shows whichever publication it is attached to."""

    def __init__(self, kind: str, *, max_frames: int | None = None) -> None:
        super().__init__()
        self.kind = kind
        limit = max_frames or (MAX_VIDEO_FRAMES if kind == "video" else MAX_AUDIO_FRAMES)
        #: Packets to send, each with whether it opens a new source (the first after attach).
        self._queue: asyncio.Queue[tuple[av.Packet[Any], bool]] = asyncio.Queue(maxsize=limit)
        self._publication: Publication | None = None
        self._new_source = True
        self._timeline = OutgoingTimeline()
        self._waiting_for_keyframe = kind == "video"
        self._reading = False
        self.forwarded = 0
        self.dropped = 0

    @property
    def publication(self) -> Publication | None:
        return self._publication

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
        self._drain()

    def push(self, packet: av.Packet[Any]) -> None:
        """Queue a packet from the attached publication (called by its pump)."""
        if not self._reading:
            return
        if self._waiting_for_keyframe:
            if not packet.is_keyframe:
                self.dropped += 1
                return
            self._waiting_for_keyframe = False
        try:
            self._queue.put_nowait((packet, self._new_source))
        except asyncio.QueueFull:
            self._overflow(packet)
        else:
            self._new_source = False
            self.forwarded += 1

    async def recv(self) -> av.Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        if not self._reading:
            self._reading = True
            if self._publication is not None:
                self._publication.request_keyframe()
        packet, opens_source = await self._queue.get()
        if opens_source:
            self._timeline.start_source(packet)
        return packet

    def output_pts(self, packet: av.Packet[Any]) -> int:
        """The timestamp the sender sends `packet` (just returned by `recv`) with."""
        return self._timeline.output_pts(packet)

    def stop(self) -> None:
        self.detach()
        super().stop()

    def on_keyframe_request(self) -> None:
        """The subscriber's browser asked for a keyframe (PLI/FIR)."""
        if self._publication is not None:
            self._publication.request_keyframe()

    def on_remb(self, bps: int) -> None:
        """The subscriber's browser estimated the bitrate it can receive."""
        if self._publication is not None:
            self._publication.report_estimate(self, bps)

    def _overflow(self, packet: av.Packet[Any]) -> None:
        if self.kind == "video":
            self.dropped += self._drain() + 1
            self._waiting_for_keyframe = True
            if self._publication is not None:
                self._publication.request_keyframe()
        else:
            _, opens_source = self._queue.get_nowait()
            self._queue.put_nowait((packet, opens_source or self._new_source))
            self._new_source = False
            self.dropped += 1
            self.forwarded += 1

    def _drain(self) -> int:
        drained = 0
        while not self._queue.empty():
            self._queue.get_nowait()
            drained += 1
        return drained


class Publication:
    """One participant's published track, fanned out to the attached subscribers."""

    def __init__(
        self, kind: str, upstream: Upstream, *, clock: Callable[[], float] = time.monotonic
    ):
        self.kind = kind
        self._upstream = upstream
        self._subscribers: set[SubscriberTrack] = set()
        self._estimates: dict[SubscriberTrack, int] = {}
        self._keyframes = KeyframeRequests(upstream.request_keyframe, clock=clock)
        self._task: asyncio.Task[None] | None = None
        self.received = RateMeter(clock=clock)
        self.frames_received = 0

    @property
    def keyframe_requests_sent(self) -> int:
        return self._keyframes.sent

    @property
    def bitrate_cap(self) -> int | None:
        """The lowest bitrate a subscriber estimated it can receive (REMB), if any."""
        return min(self._estimates.values(), default=None)

    @property
    def subscribers(self) -> frozenset[SubscriberTrack]:
        return frozenset(self._subscribers)

    def start(self, source: MediaStreamTrack) -> None:
        """Start pumping the encoded packets `source` yields to the subscribers."""
        self._task = asyncio.create_task(self._pump(source))

    def subscribe(self, subscriber: SubscriberTrack) -> None:
        self._subscribers.add(subscriber)

    def unsubscribe(self, subscriber: SubscriberTrack) -> None:
        self._subscribers.discard(subscriber)
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
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _update_cap(self) -> None:
        self._upstream.cap_bitrate(self.bitrate_cap)

    async def _pump(self, source: MediaStreamTrack) -> None:
        try:
            while True:
                packet = await source.recv()
                if not isinstance(packet, av.Packet):
                    raise TypeError("a publication forwards encoded packets, not frames")
                self.frames_received += 1
                self.received.add(packet.size)
                for subscriber in self._subscribers:
                    subscriber.push(packet)
        except MediaStreamError:
            logger.debug("publication source ended", extra={"kind": self.kind})
