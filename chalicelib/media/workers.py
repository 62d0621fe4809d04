"""The media-worker registry, and the assignment of each consultation to one worker.

Each worker keeps its own `MediaWorker` item fresh (`media_worker/registration.py`): every
heartbeat rewrites its load and status and pushes `expires_at` a few heartbeats ahead. A
worker is *live* while `expires_at` is still ahead of the app's clock; DynamoDB deletes
expired items only eventually, so the app never relies on the TTL deletion itself.

`assign(consultation_id)` pins a consultation to a worker (`Consultation.media_worker_id`):

* while the pinned worker is live (active, or draining: it still serves the rooms it has,
  so a participant who reconnects finds the call), the answer stays the same;
* otherwise (none yet, or its heartbeat stopped) it picks the live *active* worker with
  spare capacity and the lowest load ratio, and records it with a conditional update on
  the value it read, so two concurrent assignments agree on one worker;
* `instead_of=<worker id>` moves the consultation away from a worker that refused a new
  room (draining, full) or did not answer, when nobody has moved it already.

Live workers are found with one Query of `media_workers.by_pool`, never a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.clock import Clock
from chalicelib.errors import MediaUnavailable, NotFound
from chalicelib.store.models import CONSULTATION_SK, Consultation, ConsultationItem, MediaWorker

#: A worker in this state takes new rooms; `DRAINING` keeps only the rooms it has.
ACTIVE = "active"
DRAINING = "draining"
#: Conditional updates lost to concurrent assignments before giving up.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class WorkerEndpoint:
    """Where the app reaches the worker of a consultation."""

    worker_id: str
    control_url: str


def is_live(worker: MediaWorker, now: datetime) -> bool:
    return worker.status in (ACTIVE, DRAINING) and worker.expires_at > now


def has_room(worker: MediaWorker) -> bool:
    return worker.status == ACTIVE and worker.load < worker.capacity


class MediaWorkerRegistry:
    def __init__(self, *, clock: Clock, pool: str) -> None:
        self._clock = clock
        self._pool = pool

    def live_workers(self) -> list[MediaWorker]:
        now = self._clock.now()
        return [worker for worker in MediaWorker.by_pool.query(self._pool) if is_live(worker, now)]

    def current(self, consultation_id: str) -> WorkerEndpoint | None:
        """The consultation's pinned worker while it is live; never assigns or moves one."""
        pinned = self._pinned_worker_id(consultation_id)
        live = (w for w in self.live_workers() if w.worker_id == pinned)
        worker = next(live, None) if pinned is not None else None
        return _endpoint(worker) if worker is not None else None

    def assign(self, consultation_id: str, *, instead_of: str | None = None) -> WorkerEndpoint:
        """The consultation's live worker, or a newly recorded one; `MediaUnavailable` if none."""
        for _ in range(MAX_ATTEMPTS):
            current = self._pinned_worker_id(consultation_id)
            workers = self.live_workers()
            if current is not None and current != instead_of:
                kept = next((w for w in workers if w.worker_id == current), None)
                if kept is not None:
                    return _endpoint(kept)
            chosen = _least_loaded(workers, excluding={current, instead_of})
            if self._record(consultation_id, expected=current, chosen=chosen.worker_id):
                return _endpoint(chosen)
        raise MediaUnavailable("the media worker assignment kept changing; try again")

    def _pinned_worker_id(self, consultation_id: str) -> str | None:
        try:
            consultation = Consultation.get(
                ConsultationItem.partition(consultation_id), CONSULTATION_SK
            )
        except Consultation.DoesNotExist:
            raise NotFound("the consultation does not exist") from None
        return consultation.media_worker_id

    def _record(self, consultation_id: str, *, expected: str | None, chosen: str) -> bool:
        """Pin `chosen` if the consultation still has `expected`; False if someone was first."""
        unchanged = (
            Consultation.media_worker_id.does_not_exist()
            if expected is None
            else Consultation.media_worker_id == expected
        )
        item = Consultation(ConsultationItem.partition(consultation_id), CONSULTATION_SK)
        try:
            item.update(
                actions=[
                    Consultation.media_worker_id.set(chosen),
                    Consultation.updated_at.set(self._clock.now()),
                ],
                condition=Consultation.pk.exists() & unchanged,
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            return False
        return True


def _least_loaded(workers: list[MediaWorker], *, excluding: set[str | None]) -> MediaWorker:
    candidates = [w for w in workers if has_room(w) and w.worker_id not in excluding]
    if not candidates:
        raise MediaUnavailable("no media worker has room for this call now; try again soon")
    return min(candidates, key=lambda w: (w.load / w.capacity, w.load, w.worker_id))


def _endpoint(worker: MediaWorker) -> WorkerEndpoint:
    return WorkerEndpoint(worker_id=worker.worker_id, control_url=worker.control_url)
