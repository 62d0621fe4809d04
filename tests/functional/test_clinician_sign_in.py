"""Clinician sign-in: magic links by email, sessions in a cookie, CSRF, sign-out, limits."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta
from typing import Any

import boto3
import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.auth.magic_links import (
    PER_ADDRESS,
    PER_ADDRESS_AND_SOURCE,
    PER_DEVICE,
    PER_SOURCE,
)
from chalicelib.auth.secret_tokens import token_hash
from chalicelib.config import Settings
from chalicelib.errors import RateLimited
from chalicelib.store.models import Clinician, LinkToken
from tests.conftest import START
from tests.support.fakes import FakeWebsocketApi, FrozenClock
from tests.support.moto_messages import mail_sent, text_of

SENDER = "no-reply@clinic.example"
BASE_URL = "https://vestibule.example"
KNOWN = "dr.who@clinic.example"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, sender_email=SENDER, public_base_url=BASE_URL)


@pytest.fixture
def clinician(app: Chalice) -> Clinician:
    boto3.client("ses", region_name="eu-west-1").verify_email_identity(EmailAddress=SENDER)
    item = Clinician(
        clinician_id="c1",
        clinic_id="clinic-1",
        email=KNOWN,
        display_name="Dr Who",
        created_at=START,
    )
    item.save()
    return item


def ask_link(client: Client, email: Any) -> Any:
    return client.http.post(
        "/api/clinician/sign-in-links", headers=JSON, body=json.dumps({"email": email})
    )


def emailed_token() -> str:
    body = text_of(mail_sent()[-1])
    match = re.search(rf"{re.escape(BASE_URL)}/clinic/sign-in\.html#token=([\w-]+)", body)
    assert match is not None, body
    return match.group(1)


def start_session(client: Client, token: str) -> Any:
    return client.http.post(
        "/api/clinician/sessions", headers=JSON, body=json.dumps({"token": token})
    )


def set_cookies(response: Any) -> dict[str, list[str]]:
    """Each cookie the response sets, by name: its `name=value` and then its attributes."""
    headers = response.headers["Set-Cookie"]
    values = [headers] if isinstance(headers, str) else headers
    parts = [[part.strip() for part in value.split(";")] for value in values]
    return {attributes[0].split("=", 1)[0]: attributes for attributes in parts}


def signed_in(client: Client) -> tuple[str, str]:
    """Sign in as the known clinician; the cookie's `name=value` and the CSRF token."""
    ask_link(client, KNOWN)
    response = start_session(client, emailed_token())
    assert response.status_code == 201
    cookie = set_cookies(response)["vestibule_session"][0]
    return cookie, json.loads(response.body)["csrf_token"]


def device_cookie_of(client: Client) -> str:
    """Sign in as the known clinician; the recent-device cookie's `name=value`."""
    ask_link(client, KNOWN)
    response = start_session(client, emailed_token())
    assert response.status_code == 201
    return set_cookies(response)["vestibule_device"][0]


def test_known_and_unknown_emails_get_the_same_answer_and_only_known_ones_an_email(
    app: Chalice, clinician: Clinician, clock: FrozenClock
) -> None:
    with Client(app) as client:
        known = ask_link(client, " DR.WHO@clinic.example ")
        unknown = ask_link(client, "nobody@clinic.example")
    assert (known.status_code, known.body) == (unknown.status_code, unknown.body)
    assert clock.slept == [0.5, 0.5]  # both answers padded to the same floor
    assert known.status_code == 202
    assert json.loads(known.body) == {"status": "sent_if_known"}
    messages = mail_sent()
    assert len(messages) == 1
    assert messages[0].destinations == [KNOWN]
    assert messages[0].source == SENDER
    stored = list(LinkToken.scan())
    assert [item.purpose for item in stored] == ["magic_link"]
    assert emailed_token() not in {item.token_hash for item in stored}


def test_an_emailed_link_starts_one_session_only(app: Chalice, clinician: Clinician) -> None:
    with Client(app) as client:
        ask_link(client, KNOWN)
        token = emailed_token()
        first = start_session(client, token)
        second = start_session(client, token)
    assert first.status_code == 201
    body = json.loads(first.body)
    assert body["clinician"] == {
        "clinician_id": "c1",
        "clinic_id": "clinic-1",
        "display_name": "Dr Who",
    }
    assert second.status_code == 401
    assert json.loads(second.body)["error"]["code"] == "unauthorized"


def test_an_expired_link_is_refused(app: Chalice, clinician: Clinician, clock: FrozenClock) -> None:
    with Client(app) as client:
        ask_link(client, KNOWN)
        clock.advance(timedelta(minutes=15, seconds=1))
        response = start_session(client, emailed_token())
    assert response.status_code == 401
    assert "expired" in json.loads(response.body)["error"]["message"]


def test_the_session_cookie_is_http_only_strict_and_scoped_to_the_api(
    app: Chalice, clinician: Clinician
) -> None:
    with Client(app) as client:
        ask_link(client, KNOWN)
        attributes = set_cookies(start_session(client, emailed_token()))["vestibule_session"]
    assert {"HttpOnly", "SameSite=Strict", "Path=/api", "Secure", "Max-Age=43200"} <= set(
        attributes
    )


def test_the_local_stack_cookie_is_not_secure(
    tables: None, settings: Settings, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> None:
    from app import app as chalice_app

    local = dataclasses.replace(settings, stage="local")
    wiring.configure(chalice_app, local, clock=clock, websocket_sender=websocket_api)
    boto3.client("ses", region_name="eu-west-1").verify_email_identity(EmailAddress=SENDER)
    Clinician(
        clinician_id="c1", clinic_id="k", email=KNOWN, display_name="D", created_at=START
    ).save()
    with Client(chalice_app) as client:
        ask_link(client, KNOWN)
        cookies = set_cookies(start_session(client, emailed_token()))
    for attributes in cookies.values():
        assert "Secure" not in attributes
        assert "HttpOnly" in attributes


def test_who_am_i_needs_a_session(app: Chalice, clinician: Clinician) -> None:
    with Client(app) as client:
        anonymous = client.http.get("/api/clinician/session")
        cookie, csrf = signed_in(client)
        me = client.http.get("/api/clinician/session", headers={"Cookie": cookie})
    assert anonymous.status_code == 401
    assert me.status_code == 200
    assert json.loads(me.body) == {
        "clinician": {"clinician_id": "c1", "clinic_id": "clinic-1", "display_name": "Dr Who"},
        "csrf_token": csrf,
    }


@pytest.mark.parametrize("csrf_header", [None, "wrong"])
def test_state_changes_without_the_csrf_token_are_forbidden(
    app: Chalice, clinician: Clinician, csrf_header: str | None
) -> None:
    with Client(app) as client:
        cookie, _ = signed_in(client)
        headers = {"Cookie": cookie}
        if csrf_header is not None:
            headers["X-Vestibule-CSRF"] = csrf_header
        sign_out = client.http.delete("/api/clinician/session", headers=headers)
        ticket = client.http.post("/api/ws-tickets", headers=headers)
        still_in = client.http.get("/api/clinician/session", headers={"Cookie": cookie})
    assert sign_out.status_code == ticket.status_code == 403
    assert json.loads(ticket.body)["error"]["code"] == "forbidden"
    assert still_in.status_code == 200


def test_a_signed_in_clinician_gets_a_websocket_ticket(app: Chalice, clinician: Clinician) -> None:
    with Client(app) as client:
        cookie, csrf = signed_in(client)
        response = client.http.post(
            "/api/ws-tickets", headers={"Cookie": cookie, "X-Vestibule-CSRF": csrf}
        )
    assert response.status_code == 201
    principal = wiring.services().tickets.redeem(json.loads(response.body)["ticket"])
    assert (principal.kind, principal.id, principal.clinic_id) == ("clinician", "c1", "clinic-1")


def test_sign_out_ends_the_session(app: Chalice, clinician: Clinician) -> None:
    with Client(app) as client:
        cookie, csrf = signed_in(client)
        response = client.http.delete(
            "/api/clinician/session", headers={"Cookie": cookie, "X-Vestibule-CSRF": csrf}
        )
        after = client.http.get("/api/clinician/session", headers={"Cookie": cookie})
    assert response.status_code == 204
    assert "Max-Age=0" in response.headers["Set-Cookie"]
    assert after.status_code == 401


def test_sessions_end_after_an_idle_hour_and_after_twelve_hours(
    app: Chalice, clinician: Clinician, clock: FrozenClock
) -> None:
    with Client(app) as client:
        cookie, _ = signed_in(client)
        for _ in range(12):
            clock.advance(timedelta(minutes=59))
            assert (
                client.http.get("/api/clinician/session", headers={"Cookie": cookie}).status_code
                == 200
            )
        clock.advance(timedelta(minutes=13))
        late = client.http.get("/api/clinician/session", headers={"Cookie": cookie})
        idle_cookie, _ = signed_in(client)
        clock.advance(timedelta(hours=1, seconds=1))
        idle = client.http.get("/api/clinician/session", headers={"Cookie": idle_cookie})
    assert late.status_code == idle.status_code == 401


def test_a_session_signed_out_while_it_slides_on_stays_signed_out(
    app: Chalice, clinician: Clinician, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = LinkToken.get

    def read_then_sign_out(hash_key: str, *args: Any, **kwargs: Any) -> LinkToken:
        item = read(hash_key, *args, **kwargs)
        LinkToken(token_hash=hash_key).delete()  # another tab's sign-out, just then
        return item

    with Client(app) as client:
        cookie, _ = signed_in(client)
        clock.advance(timedelta(minutes=10))  # far enough for the idle expiry to slide
        monkeypatch.setattr(LinkToken, "get", read_then_sign_out)
        racing = client.http.get("/api/clinician/session", headers={"Cookie": cookie})
        monkeypatch.undo()
    assert racing.status_code == 401
    assert [item.purpose for item in LinkToken.scan()] == ["recent_device"]


@pytest.mark.parametrize("email", [KNOWN, "nobody@clinic.example"])
def test_too_many_links_for_one_address_are_refused_with_retry_after(
    app: Chalice, clinician: Clinician, email: str
) -> None:
    with Client(app) as client:
        answers = [ask_link(client, email) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [202] * 5 + [429]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 15 * 60
    assert json.loads(answers[-1].body)["error"]["code"] == "rate_limited"


def test_too_many_links_from_one_address_are_refused(
    app: Chalice, clinician: Clinician, clock: FrozenClock
) -> None:
    with Client(app) as client:
        answers = [ask_link(client, f"person{n}@clinic.example") for n in range(21)]
    assert answers[-2].status_code == 202
    assert answers[-1].status_code == 429


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ("{not json", "bad_json", None),
        ("[]", "bad_json", None),
        ("{}", "invalid_field", "email"),
        ('{"email": 3}', "invalid_field", "email"),
        ('{"email": "no-at-sign"}', "invalid_field", "email"),
    ],
)
def test_bad_requests_for_a_link_name_the_problem(
    app: Chalice, clinician: Clinician, body: str, code: str, field: str | None
) -> None:
    with Client(app) as client:
        response = client.http.post("/api/clinician/sign-in-links", headers=JSON, body=body)
    assert response.status_code == 400
    error = json.loads(response.body)["error"]
    assert error["code"] == code
    assert error.get("field") == field


def test_a_missing_sender_is_a_configuration_error(
    tables: None, settings: Settings, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> None:
    from app import app as chalice_app

    wiring.configure(
        chalice_app,
        dataclasses.replace(settings, sender_email=None),
        clock=clock,
        websocket_sender=websocket_api,
    )
    with Client(chalice_app) as client:
        response = ask_link(client, "nobody@clinic.example")
    assert response.status_code == 500
    error = json.loads(response.body)["error"]
    assert error["code"] == "config_error"
    assert "VESTIBULE_SENDER_EMAIL" in error["message"]


# --- nobody can use sign-in against a clinician -----------------------------------------


def stranger(number: int) -> str:
    """A source address other than the test client's (127.0.0.1)."""
    return f"127.0.1.{number}"


def ask_from(source_ip: str, email: str = KNOWN, device_token: str | None = None) -> bool:
    """Ask through the code the route runs, from `source_ip`; False if rate limited."""
    try:
        wiring.services().magic_links.request(email, source_ip=source_ip, device_token=device_token)
    except RateLimited:
        return False
    return True


def flood(email: str = KNOWN) -> None:
    """Strangers ask for `email` from many sources until its per-address ceiling is spent."""
    answers = [ask_from(stranger(number), email) for number in range(PER_ADDRESS.hits + 1)]
    assert answers[-1] is False


def test_six_strangers_asking_for_her_address_do_not_lock_her_out(
    app: Chalice, clinician: Clinician
) -> None:
    strangers = [ask_from(stranger(number)) for number in range(6)]
    with Client(app) as client:
        hers = ask_link(client, KNOWN)
    assert strangers == [True] * 6
    assert hers.status_code == 202
    assert len(mail_sent()) == 7


def test_six_strangers_at_their_own_limit_do_not_lock_her_out(
    app: Chalice, clinician: Clinician
) -> None:
    for number in range(6):
        answers = [ask_from(stranger(number)) for _ in range(PER_ADDRESS_AND_SOURCE.hits + 1)]
        assert answers == [True] * PER_ADDRESS_AND_SOURCE.hits + [False]
    with Client(app) as client:
        assert ask_link(client, KNOWN).status_code == 202


def test_the_per_address_ceiling_holds_across_sources_with_retry_after(
    app: Chalice, clinician: Clinician
) -> None:
    flood()
    with Client(app) as client:
        refused = ask_link(client, KNOWN)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60 * 60
    assert len(mail_sent()) == PER_ADDRESS.hits


def test_sign_in_sets_a_long_lived_recent_device_cookie_for_the_sign_in_routes(
    app: Chalice, clinician: Clinician
) -> None:
    with Client(app) as client:
        ask_link(client, KNOWN)
        cookies = set_cookies(start_session(client, emailed_token()))
    attributes = cookies["vestibule_device"]
    assert {"HttpOnly", "SameSite=Strict", "Path=/api/clinician", "Secure"} <= set(attributes)
    assert f"Max-Age={90 * 24 * 3600}" in attributes
    token = attributes[0].split("=", 1)[1]
    stored = LinkToken.get(token_hash(token))
    assert (stored.purpose, stored.clinician_id) == ("recent_device", "c1")


def test_her_recent_device_gets_her_link_even_under_a_flood(
    app: Chalice, clinician: Clinician
) -> None:
    with Client(app) as client:
        device = device_cookie_of(client)
        flood()
        for _ in range(PER_SOURCE.hits):  # and her own network's address is spent too
            ask_from("127.0.0.1", "someone.else@clinic.example")
        without_cookie = ask_link(client, KNOWN)
        with_cookie = client.http.post(
            "/api/clinician/sign-in-links",
            headers={**JSON, "Cookie": device},
            body=json.dumps({"email": KNOWN}),
        )
    assert without_cookie.status_code == 429
    assert with_cookie.status_code == 202
    assert json.loads(with_cookie.body) == {"status": "sent_if_known"}
    assert mail_sent()[-1].destinations == [KNOWN]


def test_a_recent_device_vouches_only_for_its_clinician_while_she_is_active(
    app: Chalice, clinician: Clinician
) -> None:
    with Client(app) as client:
        device = device_cookie_of(client).split("=", 1)[1]
    Clinician(
        clinician_id="c2",
        clinic_id="clinic-1",
        email="colleague@clinic.example",
        display_name="Dr Two",
        created_at=START,
    ).save()
    flood("colleague@clinic.example")
    assert not ask_from("127.0.0.1", "colleague@clinic.example", device_token=device)

    flood()
    assert ask_from("127.0.0.1", KNOWN, device_token=device)
    clinician.update(actions=[Clinician.active.set(False)])
    assert not ask_from("127.0.0.1", KNOWN, device_token=device)


def test_a_session_token_does_not_vouch_as_a_recent_device(
    app: Chalice, clinician: Clinician
) -> None:
    with Client(app) as client:
        session = signed_in(client)[0].split("=", 1)[1]
    flood()
    assert not ask_from("127.0.0.1", KNOWN, device_token=session)


def test_a_recent_device_counts_against_its_own_limit(app: Chalice, clinician: Clinician) -> None:
    with Client(app) as client:
        device = device_cookie_of(client).split("=", 1)[1]
    answers = [ask_from("127.0.0.1", device_token=device) for _ in range(PER_DEVICE.hits + 1)]
    assert answers == [True] * PER_DEVICE.hits + [False]


def test_a_recent_device_expires_after_ninety_days(
    app: Chalice, clinician: Clinician, clock: FrozenClock
) -> None:
    with Client(app) as client:
        device = device_cookie_of(client).split("=", 1)[1]
    clock.advance(timedelta(days=90))
    flood()
    assert not ask_from("127.0.0.1", KNOWN, device_token=device)


def test_signing_in_again_replaces_the_browsers_recent_device_token(
    app: Chalice, clinician: Clinician
) -> None:
    with Client(app) as client:
        first = device_cookie_of(client)
        ask_link(client, KNOWN)
        again = client.http.post(
            "/api/clinician/sessions",
            headers={**JSON, "Cookie": first},
            body=json.dumps({"token": emailed_token()}),
        )
    second = set_cookies(again)["vestibule_device"][0]
    assert second != first
    devices = [item for item in LinkToken.scan() if item.purpose == "recent_device"]
    assert [item.token_hash for item in devices] == [token_hash(second.split("=", 1)[1])]


def test_the_recent_device_cookie_is_not_a_session(app: Chalice, clinician: Clinician) -> None:
    with Client(app) as client:
        device = device_cookie_of(client).split("=", 1)[1]
        response = client.http.get(
            "/api/clinician/session", headers={"Cookie": f"vestibule_session={device}"}
        )
    assert response.status_code == 401


def test_a_refused_email_answers_exactly_like_an_unknown_address_and_logs_no_address(
    app: Chalice, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    Clinician(
        clinician_id="c1",
        clinic_id="clinic-1",
        email=KNOWN,
        display_name="Dr Who",
        created_at=START,
    ).save()  # the sender is not verified: SES refuses every message (MessageRejected)
    with Client(app) as client:
        known = ask_link(client, KNOWN)
        unknown = ask_link(client, "nobody@clinic.example")
    assert (
        (known.status_code, known.body)
        == (unknown.status_code, unknown.body)
        == (
            202,
            b'{"status":"sent_if_known"}',
        )
    )
    assert dict(known.headers) == dict(unknown.headers)
    assert clock.slept == [0.5, 0.5]
    assert mail_sent() == []
    [refusal] = [r for r in caplog.records if r.getMessage() == "sign-in link not sent"]
    assert (refusal.levelname, refusal.__dict__["reason"]) == ("WARNING", "MessageRejected")
    assert all(record.exc_info is None for record in caplog.records)  # no traceback
    logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    for address in (KNOWN, "nobody@clinic.example", "dr.who", SENDER):
        assert address not in logged
