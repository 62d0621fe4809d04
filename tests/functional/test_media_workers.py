"""Assigning consultations to media workers: live, active, with room; stable; agreed; 503."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.errors import MediaUnavailable, NotFound
from chalicelib.media.workers import MediaWorkerRegistry, WorkerEndpoint
from chalicelib.store.models import CONSULTATION_SK, Consultation, ConsultationItem, MediaWorker
from tests.support import builders
from tests.support.fakes import FrozenClock


def add_consultation(clock: FrozenClock, consultation_id: str = "c1") -> None:
    builders.consultation(consultation_id, clinic_id="k1", starts_at=clock.now()).save()


def pinned(consultation_id: str = "c1") -> str | None:
    item = Consultation.get(ConsultationItem.partition(consultation_id), CONSULTATION_SK)
    return item.media_worker_id


@pytest.fixture
def registry(tables: None, clock: FrozenClock) -> MediaWorkerRegistry:
    add_consultation(clock)
    return MediaWorkerRegistry(clock=clock, pool="default")


def test_picks_the_live_worker_with_the_lowest_load_ratio_and_records_it(
    registry: MediaWorkerRegistry, clock: FrozenClock
) -> None:
    builders.media_worker(clock, "w-busy", load=5, capacity=10)
    builders.media_worker(clock, "w-big", load=6, capacity=40)
    builders.media_worker(clock, "w-small", load=1, capacity=2)

    worker = registry.assign("c1")

    assert worker == WorkerEndpoint("w-big", "http://w-big.internal:8080")
    assert pinned() == "w-big"


@pytest.mark.parametrize(
    ("case", "overrides"),
    [
        ("draining", {"status": "draining"}),
        ("stale", {"beat_ago": 3 * builders.MEDIA_HEARTBEAT + timedelta(seconds=1)}),
        ("full", {"load": 10, "capacity": 10}),
        ("another pool", {"pool": "eu-2"}),
    ],
)
def test_skips_workers_that_cannot_take_a_new_room(
    registry: MediaWorkerRegistry, clock: FrozenClock, case: str, overrides: dict[str, object]
) -> None:
    builders.media_worker(clock, "w-unfit", **overrides)  # type: ignore[arg-type]
    builders.media_worker(clock, "w-fit", load=9, capacity=10)

    assert registry.assign("c1").worker_id == "w-fit", case


def test_a_worker_that_beat_within_three_intervals_is_live(
    registry: MediaWorkerRegistry, clock: FrozenClock
) -> None:
    builders.media_worker(
        clock, "w-late", beat_ago=3 * builders.MEDIA_HEARTBEAT - timedelta(seconds=1)
    )
    assert [w.worker_id for w in registry.live_workers()] == ["w-late"]


def test_keeps_the_assignment_while_the_worker_is_live_even_if_busier_or_draining(
    registry: MediaWorkerRegistry, clock: FrozenClock
) -> None:
    builders.media_worker(clock, "w1")
    first = registry.assign("c1")
    builders.media_worker(clock, "w1", load=10, status="draining")
    builders.media_worker(clock, "w2", load=0)

    assert registry.assign("c1") == first
    assert pinned() == "w1"


def test_reassigns_when_the_worker_stops_heart_beating(
    registry: MediaWorkerRegistry, clock: FrozenClock
) -> None:
    builders.media_worker(clock, "w1")
    assert registry.assign("c1").worker_id == "w1"
    clock.advance(timedelta(seconds=15))
    builders.media_worker(clock, "w2")  # w1 beat 15 s ago: still live

    assert registry.assign("c1").worker_id == "w1"

    clock.advance(timedelta(seconds=16))  # w1's last beat is now 31 s old
    builders.media_worker(clock, "w2")
    assert registry.assign("c1").worker_id == "w2"
    assert pinned() == "w2"


def test_moves_away_from_a_worker_that_refused_unless_someone_already_did(
    registry: MediaWorkerRegistry, clock: FrozenClock
) -> None:
    builders.media_worker(clock, "w1")
    builders.media_worker(clock, "w2", load=5)
    builders.media_worker(clock, "w3", load=8)
    assert registry.assign("c1").worker_id == "w1"

    assert registry.assign("c1", instead_of="w1").worker_id == "w2"
    # A second caller that saw w1 refuse too keeps the move already made.
    assert registry.assign("c1", instead_of="w1").worker_id == "w2"
    assert pinned() == "w2"


def test_two_concurrent_assignments_agree(tables: None, clock: FrozenClock) -> None:
    add_consultation(clock)
    builders.media_worker(clock, "w1", load=1)
    builders.media_worker(clock, "w2", load=2)

    class RacedRegistry(MediaWorkerRegistry):
        """Reads the consultation, then loses the race to a rival before writing."""

        rival_ran = False

        def live_workers(self) -> list[MediaWorker]:
            workers = super().live_workers()
            if not self.rival_ran:
                self.rival_ran = True
                builders.media_worker(clock, "w1", load=9)  # the rival sees w1 busy and picks w2
                assert (
                    MediaWorkerRegistry(clock=clock, pool="default").assign("c1").worker_id == "w2"
                )
                builders.media_worker(clock, "w1", load=1)
            return workers

    raced = RacedRegistry(clock=clock, pool="default")

    assert raced.assign("c1").worker_id == "w2"  # its own pick (w1) lost the conditional write
    assert pinned() == "w2"


def test_no_live_worker_with_room_is_a_503(
    registry: MediaWorkerRegistry, clock: FrozenClock
) -> None:
    builders.media_worker(clock, "w-full", load=3, capacity=3)
    builders.media_worker(clock, "w-gone", beat_ago=timedelta(minutes=5))

    with pytest.raises(MediaUnavailable) as refused:
        registry.assign("c1")

    assert refused.value.status_code == 503
    assert refused.value.code == "media_unavailable"
    assert pinned() is None


def test_an_unknown_consultation_is_not_found(
    registry: MediaWorkerRegistry, clock: FrozenClock
) -> None:
    builders.media_worker(clock, "w1")
    with pytest.raises(NotFound):
        registry.assign("nope")


def test_live_workers_is_one_query_of_the_pool_index(
    registry: MediaWorkerRegistry, clock: FrozenClock, request: pytest.FixtureRequest
) -> None:
    builders.media_worker(clock, "w1")
    calls: list[str] = request.getfixturevalue("dynamodb_calls")

    registry.live_workers()

    assert calls == ["Query"]


def test_current_names_the_live_pinned_worker_and_never_assigns(
    registry: MediaWorkerRegistry, clock: FrozenClock
) -> None:
    builders.media_worker(clock, "w1")
    assert registry.current("c1") is None  # nothing pinned yet, and nothing gets pinned
    assert pinned() is None
    registry.assign("c1")
    assert registry.current("c1") == WorkerEndpoint("w1", "http://w1.internal:8080")
    clock.advance(4 * builders.MEDIA_HEARTBEAT)
    assert registry.current("c1") is None  # stale: the caller decides whether to move it
    assert pinned() == "w1"
