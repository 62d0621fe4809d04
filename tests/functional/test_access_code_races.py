"""Access codes hold under parallel guesses: at most five codes compared, then locked.

Bursts of guesses run in threads through `ParticipantLinks.exchange`, the code the
`POST /api/participant-sessions` route runs, against moto. Comparisons are counted by a
spy around `access_codes.matches`. moto answers one request at a time, as DynamoDB applies
each single-item write atomically (`serialise_moto_dynamodb`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from chalice import Chalice
from pynamodb.exceptions import UpdateError

from chalicelib import wiring
from chalicelib.auth.secret_tokens import token_hash
from chalicelib.errors import LinkLocked, LinkRefused, WrongAccessCode
from chalicelib.participants import access_codes
from chalicelib.participants.links import ParticipantLinks
from chalicelib.store.models import AuditEvent, Clinic, LinkToken
from tests.conftest import START
from tests.support import builders
from tests.support.fakes import FrozenClock, serialise_moto_dynamodb

CODE = "246810"
WRONG = "135791"


class ComparisonSpy:
    """Counts the codes compared, passing each to the real comparison."""

    def __init__(self, real: Callable[[str, str, str], bool]) -> None:
        self.count = 0
        self._real = real
        self._lock = threading.Lock()

    def __call__(self, link_token: str, code: str, stored_hash: str) -> bool:
        with self._lock:
            self.count += 1
        return self._real(link_token, code, stored_hash)


@pytest.fixture
def links(app: Chalice, monkeypatch: pytest.MonkeyPatch) -> ParticipantLinks:
    serialise_moto_dynamodb(monkeypatch)
    Clinic(clinic_id="k1", name="Clinic", time_zone="Europe/Paris", created_at=START).save()
    consultation = builders.consultation("v1", clinic_id="k1", starts_at=START)
    consultation.save()
    builders.participant("v1", "p1").save()
    return wiring.services().participant_links


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> ComparisonSpy:
    spy = ComparisonSpy(access_codes.matches)
    monkeypatch.setattr(access_codes, "matches", spy)
    return spy


def new_link(links: ParticipantLinks) -> str:
    consultation = builders.consultation("v1", clinic_id="k1", starts_at=START)
    participant = builders.participant("v1", "p1")
    return links.issue_link(consultation, participant, access_code=CODE).rsplit("#", 1)[1]


def guess(links: ParticipantLinks, token: str, code: str) -> str:
    """What one guess got: `session`, or the refusal's reason."""
    try:
        links.exchange(token, access_code=code)
    except LinkRefused as refusal:
        return str(refusal.details()["reason"])
    except LinkLocked:
        return "locked"
    return "session"


def sessions() -> int:
    return sum(1 for item in LinkToken.scan() if item.purpose == "participant_session")


@pytest.mark.parametrize("burst", [20, 40, 80])
def test_a_burst_of_parallel_guesses_compares_at_most_five_codes_and_locks_once(
    links: ParticipantLinks, spy: ComparisonSpy, burst: int
) -> None:
    token = new_link(links)
    start = threading.Barrier(burst)

    def one_guess(_: int) -> str:
        start.wait()
        return guess(links, token, WRONG)

    with ThreadPoolExecutor(max_workers=burst) as pool:
        answers = list(pool.map(one_guess, range(burst)))

    assert spy.count <= 5
    assert answers.count("wrong_code") == 4
    assert answers.count("locked") == burst - 4
    assert [event.action for event in AuditEvent.query("k1")] == ["participant_link.locked"]
    assert guess(links, token, CODE) == "locked"  # the right code, once locked
    assert sessions() == 0
    assert spy.count <= 5


def test_the_right_code_in_a_burst_wins_only_while_the_link_is_unlocked(
    links: ParticipantLinks, spy: ComparisonSpy
) -> None:
    token = new_link(links)
    burst = 40
    start = threading.Barrier(burst)

    def one_guess(number: int) -> str:
        start.wait()
        return guess(links, token, CODE if number == burst - 1 else WRONG)

    with ThreadPoolExecutor(max_workers=burst) as pool:
        answers = list(pool.map(one_guess, range(burst)))

    item = LinkToken.get(token_hash(token))
    if answers[-1] == "session":  # its guess came among the first five, before the lock
        assert sessions() == 1
        # The right code starts the count afresh, as a successful sign-in should: at most
        # five guesses before it and five after it are compared.
        assert spy.count <= 2 * 5
    else:
        assert spy.count <= 5
        assert answers[-1] == "locked" and sessions() == 0
    assert item.locked_until is not None or answers[-1] == "session"


def test_a_right_code_compared_just_before_the_link_locks_is_refused(
    links: ParticipantLinks, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = new_link(links)
    for _ in range(2):
        assert guess(links, token, WRONG) == "wrong_code"
    real = access_codes.matches
    raced: list[str] = []

    def compare_while_others_lock(link_token: str, code: str, stored_hash: str) -> bool:
        if code == CODE and not raced:  # two wrong guesses land while this one compares
            raced.extend(guess(links, token, WRONG) for _ in range(2))
        return real(link_token, code, stored_hash)

    monkeypatch.setattr(access_codes, "matches", compare_while_others_lock)
    assert guess(links, token, CODE) == "locked"
    assert raced == ["wrong_code", "locked"]
    assert sessions() == 0


@pytest.mark.parametrize("code", [WRONG, CODE])
def test_a_code_for_a_link_deleted_meanwhile_does_not_bring_it_back(
    links: ParticipantLinks, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    token = new_link(links)
    read = LinkToken.get

    def read_then_delete(hash_key: str, *args: Any, **kwargs: Any) -> LinkToken:
        item = read(hash_key, *args, **kwargs)
        LinkToken(token_hash=hash_key).delete()  # the guest removed, just then
        return item

    monkeypatch.setattr(LinkToken, "get", read_then_delete)
    with pytest.raises(LinkLocked):  # refused; the next attempt finds no link at all
        links.exchange(token, access_code=code)
    monkeypatch.setattr(LinkToken, "get", read)
    with pytest.raises(LinkToken.DoesNotExist):
        LinkToken.get(token_hash(token))
    assert sessions() == 0


def test_the_lock_holds_until_one_second_before_its_end_and_opens_at_it(
    links: ParticipantLinks, clock: FrozenClock
) -> None:
    token = new_link(links)
    answers = [guess(links, token, WRONG) for _ in range(5)]
    assert answers == ["wrong_code"] * 4 + ["locked"]
    clock.advance(timedelta(minutes=5))
    with pytest.raises(LinkLocked) as locked:
        links.exchange(token, access_code=CODE)
    assert locked.value.retry_after == 600
    clock.advance(timedelta(minutes=10, seconds=-1))
    with pytest.raises(LinkLocked) as still:
        links.exchange(token, access_code=CODE)
    assert still.value.retry_after == 1
    clock.advance(timedelta(seconds=1))
    with pytest.raises(WrongAccessCode):
        links.exchange(token, access_code=WRONG)
    assert LinkToken.get(token_hash(token)).failed_attempts == 1
    assert links.exchange(token, access_code=CODE).principal.id == "p1"
    assert LinkToken.get(token_hash(token)).failed_attempts == 0


def test_a_guess_read_before_a_lock_and_counted_after_it_is_not_compared(
    links: ParticipantLinks, spy: ComparisonSpy, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = new_link(links)
    read = LinkToken.get
    racing: list[str] = []

    def read_then_others_lock(hash_key: str, *args: Any, **kwargs: Any) -> LinkToken:
        item = read(hash_key, *args, **kwargs)
        if not racing:  # five wrong guesses lock the link between this read and its claim
            racing.append("racing")
            monkeypatch.setattr(LinkToken, "get", read)
            racing.extend(guess(links, token, WRONG) for _ in range(5))
        return item

    monkeypatch.setattr(LinkToken, "get", read_then_others_lock)
    assert guess(links, token, CODE) == "locked"
    assert racing[1:] == ["wrong_code"] * 4 + ["locked"]
    assert spy.count == 5  # only the five that locked it were compared
    assert sessions() == 0


def test_a_right_code_for_a_link_deleted_while_it_is_compared_is_refused_and_not_written_back(
    links: ParticipantLinks, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = new_link(links)
    real = access_codes.matches

    def compare_while_deleted(link_token: str, code: str, stored_hash: str) -> bool:
        LinkToken(token_hash=token_hash(link_token)).delete()  # the guest removed, just then
        return real(link_token, code, stored_hash)

    monkeypatch.setattr(access_codes, "matches", compare_while_deleted)
    with pytest.raises(LinkLocked):
        links.exchange(token, access_code=CODE)
    with pytest.raises(LinkToken.DoesNotExist):
        LinkToken.get(token_hash(token))
    assert sessions() == 0


def throttling(call: str) -> UpdateError:
    cause = ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
        "UpdateItem",
    )
    return UpdateError(f"DynamoDB is throttling the {call}", cause=cause)


@pytest.mark.parametrize(
    ("code", "used_guesses", "throttled_call"),
    [
        (WRONG, 0, 1),  # the claim of a guess
        (CODE, 0, 2),  # the reset after the right code
        (WRONG, 5, 2),  # the lock once the guesses are used up
    ],
)
def test_a_throttled_write_in_a_guess_is_an_error_to_retry_never_a_lock_or_a_refusal(
    links: ParticipantLinks,
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    used_guesses: int,
    throttled_call: int,
) -> None:
    token = new_link(links)
    if used_guesses:
        LinkToken.get(token_hash(token)).update(
            actions=[LinkToken.failed_attempts.set(used_guesses)]
        )
    real_update = LinkToken.update
    calls: list[int] = []

    def update_until_throttled(item: LinkToken, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == throttled_call:
            raise throttling("update")
        return real_update(item, *args, **kwargs)

    monkeypatch.setattr(LinkToken, "update", update_until_throttled)
    with pytest.raises(UpdateError):  # a 500 the browser retries, not a wrong code or a lock
        links.exchange(token, access_code=code)
    monkeypatch.setattr(LinkToken, "update", real_update)
    assert LinkToken.get(token_hash(token)).locked_until is None
    assert sessions() == 0
