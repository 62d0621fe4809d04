"""The rules of tokens, sessions, single-use secrets and rate limits, each pinned down.

Functional tests against moto with a frozen clock: every lifetime is checked one second
before its end (still valid) and at its end (over); a secret of one purpose never works as
another; single-use secrets are raced (deterministically, by a second redeem landing
between the first one's read and its delete, and by threads); rate limits answer the exact
`retry_after`. `bench/mutation` measures how many deliberate bugs these tests catch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from chalice import Chalice
from chalice.test import Client
from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.auth import clinician_sessions, magic_links, tickets
from chalicelib.auth.magic_links import MagicLinks
from chalicelib.auth.principals import Principal
from chalicelib.auth.rate_limits import Limit, RateLimiter, subject_hash
from chalicelib.auth.recent_devices import RecentDevices
from chalicelib.auth.secret_tokens import new_token, token_hash
from chalicelib.auth.single_use import discard, issue, update_if_present
from chalicelib.config import Settings
from chalicelib.errors import ConfigError, InvalidField, RateLimited, Unauthorized, UnknownLink
from chalicelib.messaging.email import EmailSender
from chalicelib.participants import access_codes
from chalicelib.participants.links import LINK_PURPOSE, SESSION_PURPOSE, link_end
from chalicelib.routes.clinician_auth import COOKIE_NAME
from chalicelib.store.models import Clinic, Clinician, LinkToken, RateLimitWindow
from chalicelib.wiring import services
from tests.conftest import START
from tests.support import builders
from tests.support.clinic_api import SENDER, seed_clinics
from tests.support.fakes import FrozenClock, serialise_moto_dynamodb
from tests.support.moto_messages import mail_sent, text_of

BASE_URL = "https://vestibule.example"
JSON = {"Content-Type": "application/json"}
C1 = Principal.of_clinician("c1", "k1")
P1 = Principal(kind="participant", id="p1", clinic_id="k1", consultation_id="v1")
STARTS = START + timedelta(hours=1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, sender_email=SENDER, public_base_url=BASE_URL)


@pytest.fixture
def client(app: Chalice) -> Iterator[Client]:
    """Clinics k1 (c1, c2, inactive c4) and k2 (c3); k1's consultation v1 with patient p1."""
    seed_clinics()
    builders.consultation("v1", clinic_id="k1", starts_at=STARTS).save()
    builders.participant("v1", "p1").save()
    with Client(app) as test_client:
        yield test_client


def secret(
    purpose: str, principal: Principal = C1, lifetime: timedelta = timedelta(hours=1)
) -> str:
    return issue(principal, purpose=purpose, now=START, lifetime=lifetime)


def who_am_i(client: Client, token: str) -> int:
    headers = {"Cookie": f"{COOKIE_NAME}={token}"}
    status: int = client.http.get("/api/clinician/session", headers=headers).status_code
    return status


def still_stored(token: str) -> bool:
    try:
        LinkToken.get(token_hash(token))
    except LinkToken.DoesNotExist:
        return False
    return True


# --- a secret of one purpose never works as another -------------------------------------


@pytest.mark.parametrize(
    ("purpose", "principal"),
    [
        (magic_links.PURPOSE, C1),
        (tickets.PURPOSE, C1),
        (SESSION_PURPOSE, P1),
        (LINK_PURPOSE, P1),
    ],
)
def test_only_a_clinician_session_works_as_the_session_cookie(
    client: Client, purpose: str, principal: Principal
) -> None:
    token = secret(purpose, principal)
    assert who_am_i(client, token) == 401
    assert still_stored(token)  # refused without being spent or changed
    assert who_am_i(client, services().sessions.start(Clinician.get("c1")).token) == 200


@pytest.mark.parametrize(
    ("purpose", "principal"),
    [
        (SESSION_PURPOSE, P1),
        (magic_links.PURPOSE, C1),
        (tickets.PURPOSE, P1),
        (clinician_sessions.PURPOSE, C1),
    ],
)
def test_only_a_participant_link_can_be_exchanged_for_a_session(
    client: Client, purpose: str, principal: Principal
) -> None:
    token = secret(purpose, principal)
    with pytest.raises(UnknownLink):
        services().participant_links.exchange(token)
    assert still_stored(token)


@pytest.mark.parametrize("purpose", [LINK_PURPOSE, tickets.PURPOSE, clinician_sessions.PURPOSE])
def test_only_a_participant_session_resumes_a_participant(client: Client, purpose: str) -> None:
    token = secret(purpose, P1 if purpose != clinician_sessions.PURPOSE else C1)
    with pytest.raises(Unauthorized):
        services().participant_links.resume(token)
    assert still_stored(token)


@pytest.mark.parametrize(
    ("redeem", "other_purpose"),
    [
        (lambda token: services().tickets.redeem(token), magic_links.PURPOSE),
        (lambda token: services().magic_links.redeem(token), tickets.PURPOSE),
        (lambda token: services().tickets.redeem(token), clinician_sessions.PURPOSE),
    ],
)
def test_a_single_use_secret_of_another_purpose_is_refused_and_not_spent(
    client: Client, redeem: Callable[[str], Any], other_purpose: str
) -> None:
    token = secret(other_purpose)
    with pytest.raises(Unauthorized):
        redeem(token)
    assert still_stored(token)


def test_a_token_naming_nobody_opens_nothing(client: Client) -> None:
    token = new_token()
    LinkToken(
        token_hash=token_hash(token),
        purpose=tickets.PURPOSE,
        clinic_id="k1",
        created_at=START,
        not_after=START + timedelta(minutes=1),
        expires_at=START + timedelta(minutes=1),
    ).save()
    with pytest.raises(Unauthorized):
        services().tickets.redeem(token)


# --- magic links ---------------------------------------------------------------------------


def ask_link(client: Client, email: str) -> Any:
    body = json.dumps({"email": email})
    return client.http.post("/api/clinician/sign-in-links", headers=JSON, body=body)


def emailed_token() -> str:
    match = re.search(r"#token=([\w-]+)", text_of(mail_sent()[-1]))
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    "lapse",
    [
        lambda c: c.update(actions=[Clinician.active.set(False)]),
        lambda c: c.delete(),
    ],
    ids=["deactivated", "deleted"],
)
def test_a_magic_link_already_sent_opens_nothing_once_the_clinician_lapses(
    client: Client, lapse: Callable[[Clinician], Any]
) -> None:
    assert ask_link(client, "c1@clinic.example").status_code == 202
    token = emailed_token()
    lapse(Clinician.get("c1"))
    with pytest.raises(Unauthorized):
        services().magic_links.redeem(token)
    assert [item.purpose for item in LinkToken.scan()] == []  # spent, and no session


def test_an_inactive_clinicians_address_gets_no_link(client: Client) -> None:
    assert ask_link(client, "c4@clinic.example").status_code == 202
    assert mail_sent() == []
    assert list(LinkToken.scan()) == []


def test_a_magic_link_works_until_one_second_before_fifteen_minutes(
    client: Client, clock: FrozenClock
) -> None:
    ask_link(client, "c1@clinic.example")  # issued at START; answering takes 0.5 s
    early = emailed_token()
    clock.advance(timedelta(seconds=0.5))
    ask_link(client, "c1@clinic.example")  # issued at START + 1 s
    late = emailed_token()
    assert LinkToken.get(token_hash(late)).not_after == START + timedelta(minutes=15, seconds=1)
    clock.advance(START + timedelta(minutes=15) - clock.now())
    assert services().magic_links.redeem(late).clinician_id == "c1"  # 1 s before its end
    with pytest.raises(Unauthorized, match="expired"):
        services().magic_links.redeem(early)  # at its end exactly: over
    assert "15 minutes" in text_of(mail_sent()[-1])


def test_a_magic_link_request_is_padded_to_the_same_floor_known_or_not(
    client: Client, clock: FrozenClock
) -> None:
    ask_link(client, "c1@clinic.example")
    ask_link(client, "nobody@clinic.example")
    assert clock.slept == [0.5, 0.5]


def test_the_sign_in_email_escapes_the_link_and_names_the_lifetime() -> None:
    content = magic_links.email_content('https://x.example/#token=a"b')
    assert 'href="https://x.example/#token=a&quot;b"' in content.html
    assert "within 15 minutes" in content.text
    assert content.language == "en"


# --- single-use secrets, raced -------------------------------------------------------------


def redeem_twice_at_once(
    monkeypatch: pytest.MonkeyPatch, redeem: Callable[[str], Any], token: str
) -> list[str]:
    """Redeem `token`, and while the first redeem stands between its read and its delete,
    let a second redeem run to the end: what each got, the second one first."""
    read = LinkToken.get
    results: list[str] = []

    def outcome() -> str:
        try:
            redeem(token)
        except Unauthorized:
            return "refused"
        return "redeemed"

    def read_then_race(hash_key: str, *args: Any, **kwargs: Any) -> LinkToken:
        item = read(hash_key, *args, **kwargs)
        if not results:
            results.append("racing")
            results[0] = outcome()
        return item

    monkeypatch.setattr(LinkToken, "get", read_then_race)
    results.append(outcome())
    monkeypatch.setattr(LinkToken, "get", read)
    return results


def test_two_racing_redeems_of_one_ticket_open_one_connection(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = services().tickets.issue(C1)
    results = redeem_twice_at_once(monkeypatch, services().tickets.redeem, token)
    assert results == ["redeemed", "refused"]


def test_two_racing_redeems_of_one_magic_link_start_one_session(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = secret(magic_links.PURPOSE, lifetime=magic_links.LINK_LIFETIME)
    results = redeem_twice_at_once(monkeypatch, services().magic_links.redeem, token)
    assert results == ["redeemed", "refused"]


def test_a_secret_whose_purpose_changes_before_its_delete_is_not_spent(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = secret(tickets.PURPOSE)
    read = LinkToken.get

    def read_then_replace(hash_key: str, *args: Any, **kwargs: Any) -> LinkToken:
        item = read(hash_key, *args, **kwargs)
        replaced = read(hash_key)
        replaced.purpose = magic_links.PURPOSE
        replaced.save()
        return item

    monkeypatch.setattr(LinkToken, "get", read_then_replace)
    with pytest.raises(Unauthorized):
        services().tickets.redeem(token)
    monkeypatch.setattr(LinkToken, "get", read)
    assert LinkToken.get(token_hash(token)).purpose == magic_links.PURPOSE


@pytest.mark.parametrize("kind", ["ticket", "magic link"])
def test_a_burst_of_threads_redeeming_one_secret_has_one_winner(
    client: Client, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    if kind == "ticket":
        token, redeem = services().tickets.issue(C1), services().tickets.redeem
    else:
        token = secret(magic_links.PURPOSE, lifetime=magic_links.LINK_LIFETIME)
        redeem = services().magic_links.redeem
    burst = 12
    start = threading.Barrier(burst)

    def attempt(_: int) -> bool:
        start.wait()
        try:
            redeem(token)
        except Unauthorized:
            return False
        return True

    with ThreadPoolExecutor(max_workers=burst) as pool:
        assert sum(pool.map(attempt, range(burst))) == 1


# --- lifetimes at their exact ends ---------------------------------------------------------


def test_a_ticket_works_until_one_second_before_sixty_seconds(
    client: Client, clock: FrozenClock
) -> None:
    early, late = services().tickets.issue(C1), None
    clock.advance(timedelta(seconds=1))
    late = services().tickets.issue(C1)
    clock.advance(timedelta(seconds=59))  # `early` at its end, `late` 1 s before its end
    assert services().tickets.redeem(late) == C1
    with pytest.raises(Unauthorized, match="expired"):
        services().tickets.redeem(early)


def test_an_idle_session_ends_at_exactly_one_hour(client: Client, clock: FrozenClock) -> None:
    sessions = services().sessions
    kept = sessions.start(Clinician.get("c1")).token
    idle = sessions.start(Clinician.get("c1")).token
    clock.advance(timedelta(hours=1, seconds=-1))
    assert sessions.resume(kept) == C1
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthorized):
        sessions.resume(idle)
    assert sessions.resume(kept) == C1  # slid on by its use a second ago


def test_a_session_ends_at_exactly_twelve_hours_however_it_is_used(
    client: Client, clock: FrozenClock
) -> None:
    started = services().sessions.start(Clinician.get("c1"))
    assert started.lifetime == timedelta(hours=12)
    for _ in range(13):
        clock.advance(timedelta(minutes=55))
        services().sessions.resume(started.token)
    clock.advance(timedelta(hours=12) - (clock.now() - START) - timedelta(seconds=1))
    assert services().sessions.resume(started.token) == C1
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthorized):
        services().sessions.resume(started.token)


def test_a_session_slides_its_idle_end_only_every_five_minutes(
    client: Client, clock: FrozenClock, dynamodb_calls: list[str]
) -> None:
    token = services().sessions.start(Clinician.get("c1")).token
    clock.advance(timedelta(minutes=5, seconds=-1))
    dynamodb_calls.clear()
    services().sessions.resume(token)
    assert "UpdateItem" not in dynamodb_calls
    clock.advance(timedelta(seconds=1))
    services().sessions.resume(token)
    assert dynamodb_calls.count("UpdateItem") == 1
    assert LinkToken.get(token_hash(token)).expires_at == clock.now() + timedelta(hours=1)


def test_the_csrf_token_is_bound_to_the_session(client: Client) -> None:
    one = services().sessions.start(Clinician.get("c1"))
    other = services().sessions.start(Clinician.get("c1"))
    assert one.csrf_token != other.csrf_token
    assert one.csrf_token == clinician_sessions.csrf_token_of(one.token)
    clinician_sessions.check_csrf(one.token, one.csrf_token)
    for wrong in (other.csrf_token, "", None):
        with pytest.raises(Exception, match="CSRF"):
            clinician_sessions.check_csrf(one.token, wrong)


def test_a_participant_session_lasts_until_the_link_ends(
    client: Client, clock: FrozenClock
) -> None:
    links = services().participant_links
    consultation = builders.consultation("v1", clinic_id="k1", starts_at=STARTS)
    token = links.issue_link(consultation, builders.participant("v1", "p1")).rsplit("#", 1)[1]
    end = STARTS + timedelta(minutes=20 + 60)
    link_item = LinkToken.get(token_hash(token))
    assert (link_item.not_after, link_item.expires_at) == (end, end + timedelta(days=1))
    clock.advance(timedelta(minutes=10))
    started = links.exchange(token)
    assert started.lifetime == end - clock.now()
    clock.advance(end - clock.now() - timedelta(seconds=1))
    assert links.resume(started.token) == P1
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthorized):
        links.resume(started.token)


# --- rate limits ---------------------------------------------------------------------------

LIMIT = Limit(scope="test", hits=3, window=timedelta(minutes=15))


def test_a_rate_limit_allows_its_hits_and_answers_the_seconds_to_the_window_end(
    client: Client, clock: FrozenClock
) -> None:
    limiter = RateLimiter(clock=clock)
    clock.advance(timedelta(minutes=5))  # START is on a window boundary: 10 minutes left
    for _ in range(3):
        limiter.hit(LIMIT, "someone")
    with pytest.raises(RateLimited) as refused:
        limiter.hit(LIMIT, "someone")
    assert refused.value.retry_after == 600
    limiter.hit(LIMIT, "someone else")
    clock.advance(timedelta(minutes=10, seconds=-0.5))
    with pytest.raises(RateLimited) as last_moment:
        limiter.hit(LIMIT, "someone")
    assert last_moment.value.retry_after == 1
    clock.advance(timedelta(seconds=0.5))
    limiter.hit(LIMIT, "someone")  # a new window


def test_a_rate_limit_counter_names_a_hash_and_expires_a_minute_after_its_window(
    client: Client, clock: FrozenClock
) -> None:
    RateLimiter(clock=clock).hit(LIMIT, "dr.who@clinic.example")
    [counter] = list(RateLimitWindow.scan())
    digest = hashlib.sha256(b"dr.who@clinic.example").hexdigest()[:16]
    assert subject_hash("dr.who@clinic.example") == digest
    start = int(START.timestamp())
    assert counter.window_key == f"test#{digest}#{start}"
    assert counter.hits == 1
    window_end = datetime.fromtimestamp(start + 900, UTC)
    assert counter.expires_at == window_end + timedelta(minutes=1)


def test_sign_in_links_answer_the_exact_retry_after(client: Client, clock: FrozenClock) -> None:
    answers = [ask_link(client, "nobody@clinic.example") for _ in range(6)]
    assert [answer.status_code for answer in answers] == [202] * 5 + [429]
    assert answers[-1].headers["Retry-After"] == str(900 - 3)  # each answer takes 0.5 s
    limits = (magic_links.PER_ADDRESS_AND_SOURCE, magic_links.PER_SOURCE, magic_links.PER_ADDRESS)
    assert [(limit.hits, limit.window) for limit in limits] == [
        (5, timedelta(minutes=15)),
        (20, timedelta(minutes=15)),
        (50, timedelta(hours=1)),
    ]


# --- secrets and codes ---------------------------------------------------------------------


def test_a_secret_is_256_random_bits_stored_as_its_sha256() -> None:
    token = new_token()
    assert len(token) == 43 and token != new_token()
    assert token_hash(token) == hashlib.sha256(token.encode()).hexdigest()


def test_an_access_code_is_six_digits_hashed_under_the_link_token() -> None:
    codes = {access_codes.new_code() for _ in range(50)}
    assert all(re.fullmatch(r"\d{6}", code) for code in codes) and len(codes) > 40
    stored = access_codes.code_hash("link-token", "012345")
    assert access_codes.matches("link-token", " 012345 ", stored)
    assert not access_codes.matches("link-token", "012346", stored)
    assert not access_codes.matches("other-token", "012345", stored)


def test_an_access_code_goes_on_the_channel_the_link_did_not_use(client: Client) -> None:
    both = builders.participant("v1", "p1")
    both.phone, both.email = "+33612345678", "p@example.org"
    assert access_codes.other_channel(both, "email") == "sms"
    assert access_codes.other_channel(both, "sms") == "email"
    assert access_codes.other_channel(both, "whatsapp") == "email"
    with pytest.raises(Exception, match="channel"):
        access_codes.other_channel(both, "fax")


def test_an_access_code_needs_the_other_channel_and_spans_the_million(client: Client) -> None:
    no_email = builders.participant("v1", "p1")
    no_email.phone = "+33612345678"
    with pytest.raises(InvalidField) as refused:
        access_codes.other_channel(no_email, "sms")
    assert refused.value.field == "access_code"
    assert max(int(access_codes.new_code()) for _ in range(200)) >= 600_000


def test_discarding_a_secret_deletes_only_one_of_that_purpose_and_twice_is_harmless(
    client: Client,
) -> None:
    link = secret(LINK_PURPOSE, P1)
    discard(link, purpose=SESSION_PURPOSE)
    assert still_stored(link)
    session = secret(SESSION_PURPOSE, P1)
    discard(session, purpose=SESSION_PURPOSE)
    discard(session, purpose=SESSION_PURPOSE)
    assert not still_stored(session)


def test_a_consultation_without_a_start_has_no_link_end(client: Client) -> None:
    consultation = builders.consultation("v1", clinic_id="k1", starts_at=STARTS)
    consultation.starts_at = None
    with pytest.raises(ValueError, match="start time"):
        link_end(consultation, Clinic.get("k1"))


def test_sign_in_links_need_the_public_base_url(client: Client, clock: FrozenClock) -> None:
    unconfigured = MagicLinks(
        clock=clock,
        limiter=RateLimiter(clock=clock),
        devices=RecentDevices(clock=clock),
        email_sender=EmailSender(boto3.client("ses", region_name="eu-west-1"), sender=SENDER),
        public_base_url=None,
    )
    with pytest.raises(ConfigError, match="VESTIBULE_PUBLIC_BASE_URL"):
        unconfigured.request("c1@clinic.example", source_ip="127.0.0.1")
    assert mail_sent() == []


def throttled(operation: str) -> ClientError:
    error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
    return ClientError(error, operation)


@pytest.mark.parametrize(
    ("method", "failure", "act"),
    [
        ("delete", DeleteError, lambda token: services().tickets.redeem(token)),
        ("delete", DeleteError, lambda token: discard(token, purpose=tickets.PURPOSE)),
        (
            "update",
            UpdateError,
            lambda token: update_if_present(
                LinkToken.get(token_hash(token)), [LinkToken.failed_attempts.set(1)]
            ),
        ),
    ],
)
def test_a_throttled_write_is_an_error_not_a_used_or_missing_secret(
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    failure: type[Exception],
    act: Callable[[str], Any],
) -> None:
    token = services().tickets.issue(C1)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise failure("DynamoDB is throttling", cause=throttled(method))

    monkeypatch.setattr(LinkToken, method, refuse)
    with pytest.raises(failure):  # a 500 to retry, not a 401 that signs someone out
        act(token)
