"""The waiting room under load, on the real local stack: push latency and AWS calls per change.

Starts `python -m devstack` on free loopback ports (as the end-to-end tests do), imports the
app into this process wired to that stack (its moto server, its tables, its Management API
emulation and websocket gateway), and seeds one clinic with 10 clinicians and 40
consultations holding 100 participants who accepted the terms. 10 dashboards (clinicians'
websockets) and the 100 participants' pages (participants' websockets) connect through the
gateway with real tickets. Then each participant enters the waiting room, one after the
other, with `POST /api/participant/waiting` (the route, in process, through Chalice's test
gateway); every push goes through botocore to the Management API emulation and arrives on
the real websockets.

Measured per state change:
* the time from the REST call to the moment the LAST of the 10 dashboards received the
  participant's `waiting_room.participant` frame (p50, p95, max);
* every AWS call the change costs, counted exactly by wrapping botocore's one entry point
  (`BaseClient._make_api_call`), by service and operation, with the recipients Query's
  `ScannedCount` and `Count`.

Usage: `.venv/bin/python bench/waiting_room_load.py [--participants 100] [--consultations 40]
[--dashboards 10]`. Loopback only; every loop is bounded; the stack is stopped with Ctrl-C
at the end and must leave no process behind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import botocore.client
from chalice.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chalicelib import wiring
from chalicelib.auth.principals import Principal
from chalicelib.participants.links import COOKIE_NAME
from chalicelib.store.enums import ParticipantRole, Presence
from chalicelib.store.models import (
    CONSULTATION_SK,
    Clinic,
    Clinician,
    ClinicianAssignment,
    Consultation,
    ConsultationItem,
    Participant,
    day_key,
)
from tests.e2e import local_stack

ROLES = (ParticipantRole.PATIENT, ParticipantRole.FAMILY, ParticipantRole.INTERPRETER)
FRAME_TIMEOUT = 10.0
CONNECT_TIMEOUT = 20.0


@dataclass
class Seeded:
    clinic_id: str
    clinician_ids: list[str]
    #: (consultation id, participant id, session token) per participant.
    participants: list[tuple[str, str, str]]


@dataclass
class CallCounter:
    """Every botocore call made in this process, by "service.Operation"."""

    calls: Counter[str] = field(default_factory=Counter)
    #: Seconds spent in each operation, over the whole run.
    seconds: Counter[str] = field(default_factory=Counter)
    total_calls: Counter[str] = field(default_factory=Counter)
    recipients_scanned: list[int] = field(default_factory=list)
    recipients_kept: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.recipients_scanned.clear()
            self.recipients_kept.clear()


@contextmanager
def counting(counter: CallCounter) -> Iterator[None]:
    original = botocore.client.BaseClient._make_api_call

    def counted(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        started = time.perf_counter()
        response = original(self, operation_name, api_params)
        took = time.perf_counter() - started
        service = self.meta.service_model.service_name
        with counter.lock:
            counter.calls[f"{service}.{operation_name}"] += 1
            counter.seconds[f"{service}.{operation_name}"] += took
            counter.total_calls[f"{service}.{operation_name}"] += 1
            if operation_name == "Query" and api_params.get("IndexName") == "by_clinic":
                counter.recipients_scanned.append(int(response.get("ScannedCount", 0)))
                counter.recipients_kept.append(int(response.get("Count", 0)))
        return response

    botocore.client.BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]


def seed(participants: int, consultations: int, clinicians: int) -> Seeded:
    """One clinic's day: each clinician's consultations back to back, the last starting in
    5 minutes (joining is open for all); the participants spread over the consultations
    (at most 4 each)."""
    if participants > 4 * consultations:
        raise SystemExit("at most 4 participants per consultation")
    now = datetime.now(UTC)
    clinic_id = f"bench-{uuid.uuid4().hex[:8]}"
    Clinic(clinic_id=clinic_id, name="Bench clinic", time_zone="UTC", created_at=now).save()
    clinician_ids = [f"{clinic_id}-dr{n}" for n in range(clinicians)]
    for clinician_id in clinician_ids:
        Clinician(
            clinician_id=clinician_id,
            clinic_id=clinic_id,
            email=f"{clinician_id}@bench.invalid",
            display_name=clinician_id,
            created_at=now,
        ).save()
    consultation_ids = [uuid.uuid4().hex for _ in range(consultations)]
    starts_at = now + timedelta(minutes=5)
    clinic = Clinic.get(clinic_id)
    for number, consultation_id in enumerate(consultation_ids):
        clinician_id = clinician_ids[number % clinicians]
        pk = ConsultationItem.partition(consultation_id)
        Consultation(
            pk=pk,
            sk=CONSULTATION_SK,
            consultation_id=consultation_id,
            clinic_id=clinic_id,
            clinic_day=day_key(clinic_id, starts_at.date()),
            starts_at=starts_at - timedelta(minutes=20 * (number // clinicians)),
            time_zone="UTC",
            duration_minutes=20,
            language="en",
            clinician_ids=[clinician_id],
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(days=1),
        ).save()
        ClinicianAssignment(
            pk=pk,
            sk=ClinicianAssignment.sort_key(clinician_id),
            consultation_id=consultation_id,
            clinic_id=clinic_id,
            clinician_id=clinician_id,
            clinician_day=day_key(clinician_id, starts_at.date()),
            starts_at=starts_at - timedelta(minutes=20 * (number // clinicians)),
            duration_minutes=20,
            status="scheduled",
            expires_at=now + timedelta(days=1),
        ).save()
    seeded: list[tuple[str, str, str]] = []
    links = wiring.services().participant_links
    for number in range(participants):
        consultation_id = consultation_ids[number % consultations]
        consultation = Consultation.get(
            ConsultationItem.partition(consultation_id), CONSULTATION_SK
        )
        participant_id = uuid.uuid4().hex
        participant = Participant(
            pk=consultation.pk,
            sk=Participant.sort_key(participant_id),
            consultation_id=consultation_id,
            participant_id=participant_id,
            role=ROLES[min(number // consultations, len(ROLES) - 1)],
            display_name="Bench participant",
            language="en",
            presence=Presence.TERMS_ACCEPTED,
            accepted_terms_version=0,
            clinic_day=consultation.clinic_day,
            starts_at=consultation.starts_at,
            expires_at=now + timedelta(days=1),
        )
        participant.save()
        link = links.issue_link(consultation, participant, clinic=clinic)
        session = links.exchange(link.rpartition("#")[2])
        seeded.append((consultation_id, participant_id, session.token))
    return Seeded(clinic_id, clinician_ids, seeded)


class Sockets:
    """The websockets, read on an event loop in a thread; arrival times by connection."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._sessions: list[aiohttp.ClientSession] = []
        self._tasks: list[asyncio.Task[None]] = []
        #: label -> list of (arrival time, frame)
        self.received: dict[str, list[tuple[float, dict[str, Any]]]] = {}
        self.lock = threading.Lock()

    def __enter__(self) -> Sockets:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def open(self, label: str, ticket: str) -> None:
        asyncio.run_coroutine_threadsafe(self._open(label, ticket), self._loop).result(
            timeout=CONNECT_TIMEOUT
        )

    async def _open(self, label: str, ticket: str) -> None:
        session = aiohttp.ClientSession()
        self._sessions.append(session)
        socket = await session.ws_connect(self._url, params={"ticket": ticket})
        self.received[label] = []
        self._tasks.append(asyncio.create_task(self._read(label, socket)))

    async def _read(self, label: str, socket: aiohttp.ClientWebSocketResponse) -> None:
        async for message in socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            arrived = time.perf_counter()
            with self.lock:
                self.received[label].append((arrived, json.loads(message.data)))

    async def _close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for session in self._sessions:
            await session.close()

    def arrival(self, label: str, participant_id: str, presence: str) -> float | None:
        with self.lock:
            for arrived, frame in self.received[label]:
                if (
                    frame.get("type") == "waiting_room.participant"
                    and frame.get("participant_id") == participant_id
                    and frame.get("presence") == presence
                ):
                    return arrived
        return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def run(participants: int, consultations: int, dashboards: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        stack = local_stack.start(Path(directory), sweep_interval=3600.0)
        try:
            with local_stack.app_for(stack) as app:
                return measure(stack, app, participants, consultations, dashboards)
        finally:
            local_stack.stop(stack)


def measure(
    stack: local_stack.RunningStack,
    app: Any,
    participants: int,
    consultations: int,
    dashboards: int,
) -> dict[str, Any]:
    seeded = seed(participants, consultations, dashboards)
    tickets = wiring.services().tickets
    counter = CallCounter()
    latencies: list[float] = []
    rest_times: list[float] = []
    per_change: list[Counter[str]] = []
    scanned: list[int] = []
    kept: list[int] = []
    with Sockets(stack.options.websocket_url) as sockets, Client(app) as client:
        for clinician_id in seeded.clinician_ids:
            principal = Principal.of_clinician(clinician_id, seeded.clinic_id)
            sockets.open(f"dash:{clinician_id}", tickets.issue(principal))
        for consultation_id, participant_id, _ in seeded.participants:
            principal = Principal(
                kind="participant",
                id=participant_id,
                clinic_id=seeded.clinic_id,
                consultation_id=consultation_id,
            )
            sockets.open(f"page:{participant_id}", tickets.issue(principal))
        time.sleep(1.0)  # let every $connect record settle
        with counting(counter):
            for _, participant_id, token in seeded.participants:
                counter.reset()
                started = time.perf_counter()
                response = client.http.post(
                    "/api/participant/waiting",
                    headers={
                        "Content-Type": "application/json",
                        "Cookie": f"{COOKIE_NAME}={token}",
                    },
                    body="{}",
                )
                rest_times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(
                        f"POST /api/participant/waiting: {response.status_code} {response.body!r}"
                    )
                with counter.lock:
                    per_change.append(Counter(counter.calls))
                    scanned.extend(counter.recipients_scanned)
                    kept.extend(counter.recipients_kept)
                arrivals = wait_for_dashboards(sockets, seeded, participant_id)
                latencies.append(max(arrivals) - started)
    operations = sorted({operation for change in per_change for operation in change})
    cost = {
        operation: sorted({change.get(operation, 0) for change in per_change})
        for operation in operations
    }
    return {
        "participants": participants,
        "consultations": consultations,
        "dashboards": dashboards,
        "live_connections": dashboards + participants,
        "latency_ms": {
            "p50": round(1000 * statistics.median(latencies), 1),
            "p95": round(1000 * percentile(latencies, 0.95), 1),
            "max": round(1000 * max(latencies), 1),
        },
        "rest_call_ms": {
            "p50": round(1000 * statistics.median(rest_times), 1),
            "p95": round(1000 * percentile(rest_times, 0.95), 1),
        },
        "calls_per_change": cost,
        "mean_ms_per_call": {
            operation: round(1000 * counter.seconds[operation] / counter.total_calls[operation], 1)
            for operation in operations
        },
        "recipients_query": {
            "scanned": sorted(set(scanned)),
            "kept": sorted(set(kept)),
        },
    }


def wait_for_dashboards(sockets: Sockets, seeded: Seeded, participant_id: str) -> list[float]:
    deadline = time.monotonic() + FRAME_TIMEOUT
    while time.monotonic() < deadline:
        arrivals = [
            sockets.arrival(f"dash:{clinician_id}", participant_id, "waiting")
            for clinician_id in seeded.clinician_ids
        ]
        if all(arrival is not None for arrival in arrivals):
            return [arrival for arrival in arrivals if arrival is not None]
        time.sleep(0.002)
    raise SystemExit(f"not every dashboard received {participant_id} within {FRAME_TIMEOUT} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--consultations", type=int, default=40)
    parser.add_argument("--dashboards", type=int, default=10)
    arguments = parser.parse_args()
    report = run(arguments.participants, arguments.consultations, arguments.dashboards)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
