"""Browser stand-ins for the media worker tests: aiortc peers with synthetic media.

A `Client` offers what the web page offers: its own audio and video (sendrecv) and
`slots` receive-only audio+video pairs. Its camera is a flat grey picture whose brightness
identifies the client, so a test can tell whose video arrived in which slot without
looking at ids. Each receiving track is read by a `FrameCounter` that keeps the decoded
frames' count, arrival times and mean brightness. Everything stays on this machine: ICE
servers are always empty (host candidates only).
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import av
from aiortc import (
    AudioStreamTrack,
    MediaStreamError,
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)

WIDTH, HEIGHT = 160, 120
T = TypeVar("T")


class FlatVideo(VideoStreamTrack):
    """A 160x120 picture of one brightness, 30 frames per second."""

    def __init__(self, luma: int) -> None:
        super().__init__()
        self._luma = luma

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(width=WIDTH, height=HEIGHT, format="yuv420p")
        planes = frame.planes
        planes[0].update(bytes([self._luma]) * planes[0].buffer_size)
        planes[1].update(bytes([128]) * planes[1].buffer_size)
        planes[2].update(bytes([128]) * planes[2].buffer_size)
        frame.pts = pts
        frame.time_base = fractions.Fraction(time_base.numerator, time_base.denominator)
        return frame


@dataclass
class FrameCounter:
    """Reads one receiving track: decoded frames, their arrival times and brightness."""

    kind: str
    frames: int = 0
    arrivals: list[float] = field(default_factory=list)
    lumas: list[float] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    def start(self, track: MediaStreamTrack) -> None:
        self.task = asyncio.create_task(self._read(track))

    @property
    def last_luma(self) -> float | None:
        return self.lumas[-1] if self.lumas else None

    def has_frames(self) -> bool:
        return self.frames > 0

    def frames_since(self, moment: float) -> int:
        return sum(1 for arrival in self.arrivals if arrival > moment)

    async def _read(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                self.frames += 1
                self.arrivals.append(time.monotonic())
                if isinstance(frame, av.VideoFrame):
                    self.lumas.append(mean_luma(frame))


def mean_luma(frame: av.VideoFrame) -> float:
    """The mean brightness of the picture's first row (the picture is flat)."""
    row = bytes(frame.planes[0])[: frame.width]
    return sum(row) / len(row)


class Client:
    """One browser: its own media plus receive-only slots, offered in one go."""

    def __init__(self, luma: int, *, slots: int, audio: bool = True) -> None:
        self.luma = luma
        self.pc = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        if audio:
            self.pc.addTrack(AudioStreamTrack())
        self.pc.addTrack(FlatVideo(luma))
        self.slots = [
            {
                kind: self.pc.addTransceiver(kind, direction="recvonly")
                for kind in ("audio", "video")
            }
            for _ in range(slots)
        ]
        self.slot_counters: list[dict[str, FrameCounter]] = []
        self.own_counters: dict[str, FrameCounter] = {}

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def accept(self, answer_sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer_sdp, type="answer"))
        for slot in self.slots:
            counters = {kind: FrameCounter(kind) for kind in slot}
            for kind, transceiver in slot.items():
                counters[kind].start(transceiver.receiver.track)
            self.slot_counters.append(counters)
        for transceiver in self.pc.getTransceivers():
            if transceiver.direction == "sendrecv" and transceiver.receiver.track is not None:
                counter = FrameCounter(transceiver.kind)
                counter.start(transceiver.receiver.track)
                self.own_counters[transceiver.kind] = counter

    def video_in_slot(self, slot: int) -> FrameCounter:
        return self.slot_counters[slot]["video"]

    async def close(self) -> None:
        await self.pc.close()
        counters = [*self.own_counters.values()]
        for slot in self.slot_counters:
            counters.extend(slot.values())
        for counter in counters:
            if counter.task is not None:
                counter.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await counter.task


def run(scenario: Coroutine[Any, Any, T], *, timeout: float = 30.0) -> T:
    """Run an async scenario in a fresh event loop, bounded in time."""
    return asyncio.run(asyncio.wait_for(scenario, timeout))


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]], *, timeout: float, what: str
) -> float:
    """Wait until `condition` holds; return how long it took, fail naming `what`."""
    start = time.monotonic()
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)
