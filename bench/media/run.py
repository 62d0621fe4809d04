"""`python -m bench.media.run`: the media worker benchmark, in one run of 2 to 4 minutes.

1. CPU per 1:1 call (audio and video both ways, 640x480 30 fps VP8 ~1 Mbps + Opus), the
   worker forwarding and aiortc's transcoding `MediaRelay` on the same input, alternately
   three times each; the median of each is reported, and their ratio.
2. Latency through the forwarding worker against a direct peer-to-peer link, p50/p95.
3. Calls the forwarding worker carries before frames drop: calls are added step by step
   while every stream's received frame rate is watched.
The worker runs in its own process (its CPU time is read there, all threads included); the
load generator runs here. All traffic stays on this machine. Results are printed and
written to bench/results/media-<time>.json.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.media import worker_process
from bench.media.synthetic import FPS, EncodedMedia, Participant, connect_call, connect_direct
from bench.media.synthetic import encode_media as encode

RESULTS = Path(__file__).resolve().parents[1] / "results"
#: The forwarding worker runs on uvloop, as `python -m media_worker` does; the transcoding
#: baseline on asyncio's own loop, as aiortc's examples do.
LOOPS = {"forward": "uvloop", "transcode": "asyncio"}
RAMP = (2, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48)
#: The one-call windows of the worker and of the baseline alternate this many times: the
#: transcoding baseline alone varies by a fifth between runs on a shared machine.
ROUNDS = 3
#: A step is clean while every stream keeps this share of its frame rate...
CLEAN_RATE = 0.95
#: ...and 95 % of the video frames arrive within this many seconds.
CLEAN_P95_LATENCY = 0.050


class WorkerProcess:
    """The worker under test, in a spawned process, driven over a pipe."""

    def __init__(self, mode: str, loop: str | None = None) -> None:
        loop = loop or LOOPS[mode]
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=worker_process.main, args=(child, mode, loop))
        self._lock = threading.Lock()

    def __enter__(self) -> WorkerProcess:
        self._process.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._conn.send(("stop",))
        if self._conn.poll(30):
            self._conn.recv()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()

    async def call(self, *command: Any) -> Any:
        return await asyncio.to_thread(self._call, command)

    def _call(self, command: tuple[Any, ...]) -> Any:
        with self._lock:
            self._conn.send(command)
            return self._conn.recv()

    async def join(self, room: str, participant: str, offer: str) -> str:
        answer: str = await self.call("join", room, participant, offer)
        return answer


@dataclass
class Window:
    """One measurement window over a set of calls."""

    calls: int
    seconds: float
    worker_cpu: float  # share of one core, user and system time
    worker_system_cpu: float  # the kernel's part (UDP over loopback), included above
    generator_cpu: float
    machine_cpu: float  # busy cores of the whole machine: anything else running shows here
    video_fps: list[float]
    audio_pps: list[float]
    latencies: list[float]
    dropped: int

    def summary(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "worker_cpu_share": round(self.worker_cpu, 4),
            "worker_cpu_share_per_call": round(self.worker_cpu / self.calls, 4),
            "worker_system_share": round(self.worker_system_cpu / max(self.worker_cpu, 1e-9), 2),
            "generator_cpu_share": round(self.generator_cpu, 4),
            "machine_busy_cores": round(self.machine_cpu, 2),
            "video_fps_min": round(min(self.video_fps), 1),
            "video_fps_mean": round(statistics.fmean(self.video_fps), 1),
            "audio_pps_min": round(min(self.audio_pps), 1),
            "latency_ms": _percentiles(self.latencies),
            "worker_dropped_frames": self.dropped,
            "clean": self.clean,
        }

    @property
    def clean(self) -> bool:
        latency = _percentiles(self.latencies)  # None through transcoding: frames change
        return (
            min(self.video_fps) >= CLEAN_RATE * FPS
            and min(self.audio_pps) >= CLEAN_RATE * 50
            and self.dropped == 0
            and (latency is None or latency["p95"] <= CLEAN_P95_LATENCY * 1000)
        )


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy since boot (Linux /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(value) for value in fields]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _percentiles(latencies: list[float]) -> dict[str, float] | None:
    if len(latencies) < 20:
        return None
    cuts = statistics.quantiles(latencies, n=100)
    return {"p50": round(cuts[49] * 1000, 2), "p95": round(cuts[94] * 1000, 2)}


async def measure(
    worker: WorkerProcess | None, participants: list[Participant], calls: int, seconds: float
) -> Window:
    before = await worker.call("counters") if worker else {}
    cpu_before = await worker.call("cpu") if worker else (0.0, 0.0)
    machine_before = _machine_busy_seconds()
    generator_before, start = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    end, generator_after = time.monotonic(), time.process_time()
    machine_after = _machine_busy_seconds()
    cpu_after = await worker.call("cpu") if worker else (0.0, 0.0)
    after = await worker.call("counters") if worker else {}
    elapsed = end - start
    receiving = [p for p in participants if p.receives]
    return Window(
        calls=calls,
        seconds=elapsed,
        worker_cpu=(sum(cpu_after) - sum(cpu_before)) / elapsed,
        worker_system_cpu=(cpu_after[1] - cpu_before[1]) / elapsed,
        generator_cpu=(generator_after - generator_before) / elapsed,
        machine_cpu=(machine_after - machine_before) / elapsed,
        video_fps=[p.inboxes["video"].frames_between(start, end) / elapsed for p in receiving],
        audio_pps=[p.inboxes["audio"].frames_between(start, end) / elapsed for p in receiving],
        latencies=[x for p in receiving for x in p.inboxes["video"].latencies_between(start, end)],
        dropped=after.get("dropped", 0) - before.get("dropped", 0),
    )


async def one_call(media: EncodedMedia, mode: str, seconds: float) -> Window:
    with WorkerProcess(mode) as worker:
        participants = await connect_call(media, worker.join, "call-0")
        await asyncio.sleep(3)  # connected, first keyframes through
        window = await measure(worker, participants, 1, seconds)
        for participant in participants:
            await participant.close()
    return window


async def loaded(
    media: EncodedMedia,
    calls: int,
    seconds: float,
    *,
    mode: str = "forward",
    loop: str | None = None,
) -> Window:
    """`calls` calls on the worker in `mode` running on `loop`, measured once settled."""
    participants: list[Participant] = []
    with WorkerProcess(mode, loop or LOOPS["forward"]) as worker:
        for index in range(calls):
            participants += await connect_call(media, worker.join, f"call-{index}")
        await asyncio.sleep(3)
        window = await measure(worker, participants, calls, seconds)
        for participant in participants:
            await participant.close()
    return window


async def alternate(
    media: EncodedMedia, calls: int, rounds: int, seconds: float, variants: dict[str, Any]
) -> dict[str, float]:
    """Each named variant of the worker (keyword arguments of `loaded`) under the same
    calls, one after the other `rounds` times, so that all see the same machine; prints
    each window and returns the mean CPU per call of each variant."""
    per_call: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, options in variants.items():
            window = await loaded(media, calls, seconds, **options)
            per_call[name].append(window.worker_cpu / calls)
            print(name, json.dumps(window.summary()), flush=True)
    return {name: round(statistics.fmean(values), 4) for name, values in per_call.items()}


async def lossy(media: EncodedMedia, seconds: float, loss: float = 0.02) -> dict[str, Any]:
    """Two forwarded calls at once, each dropping `loss` of what one participant receives:
    one answers the losses with NACK and retransmission, the other cannot (no NACKs)."""
    with WorkerProcess("forward") as worker:
        calls = {
            nack: await connect_call(media, worker.join, f"lossy-{nack}", loss=loss, nack=nack)
            for nack in (True, False)
        }
        await asyncio.sleep(3)
        before = await worker.call("counters")
        start = time.monotonic()
        await asyncio.sleep(seconds)
        end = time.monotonic()
        after = await worker.call("counters")
        outcome: dict[str, Any] = {"loss": loss, "seconds": round(end - start, 1)}
        for nack, participants in calls.items():
            inbox = participants[1].inboxes["video"]
            freezes, frozen = inbox.freezes_between(start, end)
            outcome["with_retransmission" if nack else "without_retransmission"] = {
                "video_fps": round(inbox.frames_between(start, end) / (end - start), 1),
                "freezes": freezes,
                "frozen_seconds": round(frozen, 2),
                "dropped_on_arrival": participants[1].dropped_on_arrival,
            }
        outcome["worker_retransmitted"] = after["retransmitted"] - before["retransmitted"]
        for participants in calls.values():
            for participant in participants:
                await participant.close()
    return outcome


async def direct(media: EncodedMedia, seconds: float) -> Window:
    participants = await connect_direct(media)
    await asyncio.sleep(2)
    window = await measure(None, participants, 1, seconds)
    for participant in participants:
        await participant.close()
    return window


async def ramp(media: EncodedMedia, deadline: float) -> list[Window]:
    windows: list[Window] = []
    participants: list[Participant] = []
    with WorkerProcess("forward") as worker:
        for calls in RAMP:
            while len(participants) < 2 * calls:
                room = f"call-{len(participants) // 2}"
                participants += await connect_call(media, worker.join, room)
            await asyncio.sleep(3)  # new connections settled, keyframes through
            window = await measure(worker, participants, calls, 6)
            windows.append(window)
            print(f"  {calls:3d} calls: {json.dumps(window.summary())}", flush=True)
            if not window.clean or window.generator_cpu > 0.95 or time.monotonic() > deadline:
                break
        for participant in participants:
            await participant.close()
    return windows


def report(results: dict[str, Any]) -> dict[str, Any]:
    forward, transcode = results["forward_1_call"], results["transcode_1_call"]
    clean = [w for w in results["ramp"] if w["clean"]]
    best = clean[-1] if clean else None
    return {
        "cpu_per_call_forward": forward["worker_cpu_share_per_call"],
        "cpu_per_call_transcode": transcode["worker_cpu_share_per_call"],
        "cpu_per_call_rounds": {
            "forward": results["forward_1_call_rounds"],
            "transcode": results["transcode_1_call_rounds"],
        },
        "cpu_ratio_forward_over_transcode": round(
            forward["worker_cpu_share_per_call"] / transcode["worker_cpu_share_per_call"], 3
        ),
        "target_ratio": 1 / 20,
        "calls_carried_cleanly": best["calls"] if best else 0,
        "calls_per_core_extrapolated": round(1 / best["worker_cpu_share_per_call"], 1)
        if best
        else None,
        "target_calls_per_core": 50,
        "latency_through_worker_ms": forward["latency_ms"],
        "latency_direct_ms": results["direct_1_call"]["latency_ms"],
        "lossy_link": results["lossy_link"],
    }


def _median(windows: list[Window]) -> Window:
    """The window of median worker CPU (an odd number of them)."""
    return sorted(windows, key=lambda window: window.worker_cpu)[len(windows) // 2]


async def run_all(media: EncodedMedia) -> dict[str, Any]:
    results: dict[str, Any] = {}
    windows: dict[str, list[Window]] = {"forward": [], "transcode": []}
    for round_number in range(1, ROUNDS + 1):
        for mode in windows:
            print(f"{mode}, 1 call, round {round_number} of {ROUNDS} ...", flush=True)
            windows[mode].append(await one_call(media, mode, 10))
    for mode, taken in windows.items():
        results[f"{mode}_1_call"] = _median(taken).summary()
        results[f"{mode}_1_call_rounds"] = [round(w.worker_cpu, 4) for w in taken]
    print("lossy last mile (2 %), with and without retransmission ...", flush=True)
    results["lossy_link"] = await lossy(media, 15)
    print("direct peer to peer, 1 call ...", flush=True)
    results["direct_1_call"] = (await direct(media, 10)).summary()
    print("ramp, forwarding ...", flush=True)
    ramp_windows = await ramp(media, deadline=time.monotonic() + 240)
    results["ramp"] = [w.summary() for w in ramp_windows]
    results["report"] = report(results)
    return results


def main() -> None:
    print("encoding the synthetic media ...", flush=True)
    media = encode()
    results = asyncio.run(run_all(media))
    results["machine"] = {"cpus": multiprocessing.cpu_count()}
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"media-{stamp}.json"
    path.write_text(json.dumps(results, indent=2))
    print(json.dumps(results["report"], indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
