"""Sessions and websocket tickets are checked where they are resumed, on every route.

A clinician who is deactivated or moved to another clinic, and a participant whose
consultation is cancelled or over (or who was removed from it), are refused by every route
that takes a session and by the websocket's ticket and `$connect`. The routes are read from
the app's own route table, so a route added later is covered without touching this file;
only the routes that take no session at all are listed, and that list is checked too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.participants.links import COOKIE_NAME as PARTICIPANT_COOKIE
from chalicelib.routes.clinician_auth import COOKIE_NAME, CSRF_HEADER
from chalicelib.store.models import (
    Clinic,
    Clinician,
    Connection,
    Consultation,
    ConsultationItem,
    Participant,
)
from chalicelib.wiring import services
from tests.conftest import START
from tests.support import builders
from tests.support.clinic_api import seed_clinics
from tests.support.fakes import FrozenClock
from tests.support.ws_events import connect_event

#: The only routes that take no session: everything else must refuse one that lapsed.
PUBLIC = {
    ("GET", "/api/health"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/participant-texts"),
    ("POST", "/api/clinician/sign-in-links"),
    ("POST", "/api/clinician/sessions"),
    ("POST", "/api/participant-sessions"),
}
STARTS = START + timedelta(hours=1)
#: The consultation lasts 20 minutes and the clinic's links 60 minutes more.
LINK_END = STARTS + timedelta(minutes=20 + 60)
PATH_VALUES = {"consultation_id": "v1", "participant_id": "p1", "file_id": "f1"}


def session_routes(app: Chalice) -> list[tuple[str, str]]:
    """Every (method, path) of the app but the public ones, path parameters filled in."""
    return sorted(
        (method, path.format(**PATH_VALUES))
        for path, methods in app.routes.items()
        for method in methods
        if (method, path) not in PUBLIC
    )


def statuses(client: Client, routes: list[tuple[str, str]], cookie: str, csrf: str = "") -> Any:
    headers = {"Content-Type": "application/json", "Cookie": cookie, CSRF_HEADER: csrf}
    return {
        (method, path): client.http.request(method, path, headers=headers, body="{}").status_code
        for method, path in routes
    }


@pytest.fixture
def client(app: Chalice) -> Iterator[Client]:
    """Clinics k1 (c1, c2, inactive c4) and k2 (c3); k1's consultation v1 with patient p1."""
    seed_clinics()
    builders.consultation("v1", clinic_id="k1", starts_at=STARTS).save()
    builders.participant("v1", "p1").save()
    with Client(app) as test_client:
        yield test_client


def clinician_session(clinician_id: str) -> tuple[str, str]:
    started = services().sessions.start(Clinician.get(clinician_id))
    return f"{COOKIE_NAME}={started.token}", started.csrf_token


def participant_session(participant_id: str = "p1") -> str:
    consultation = Consultation.get(ConsultationItem.partition("v1"), "CONSULTATION")
    participant = Participant.get(consultation.pk, Participant.sort_key(participant_id))
    links = services().participant_links
    token = links.issue_link(consultation, participant).rsplit("#", 1)[1]
    return f"{PARTICIPANT_COOKIE}={links.exchange(token).token}"


def connect(client: Client, ticket: str, connection_id: str = "conn-1") -> Any:
    event = connect_event(connection_id, {"ticket": ticket})
    return client.lambda_.invoke("connect", event).payload


def ticket_for(client: Client, cookie: str, csrf: str = "") -> str:
    headers = {"Cookie": cookie, CSRF_HEADER: csrf}
    response = client.http.post("/api/ws-tickets", headers=headers)
    assert response.status_code == 201, response.body
    ticket: str = json.loads(response.body)["ticket"]
    return ticket


def test_the_public_routes_exist_and_the_others_are_many(app: Chalice) -> None:
    every = {(m, p) for p, methods in app.routes.items() for m in methods}
    assert every >= PUBLIC  # a renamed public route must not silently leave this list
    assert len(session_routes(app)) >= 12


def test_a_deactivated_clinician_is_refused_on_every_route_and_websocket(
    app: Chalice, client: Client
) -> None:
    cookie, csrf = clinician_session("c1")
    reading = [("GET", "/api/clinic"), ("GET", "/api/consultations/v1")]
    assert set(statuses(client, reading, cookie, csrf).values()) == {200}
    ticket = ticket_for(client, cookie, csrf)
    Clinician.get("c1").update(actions=[Clinician.active.set(False)])

    refused = statuses(client, session_routes(app), cookie, csrf)
    assert refused == dict.fromkeys(refused, 401)
    assert connect(client, ticket) == {"statusCode": 401}  # a ticket issued before
    assert Connection.count() == 0


def test_a_clinician_moved_to_another_clinic_sees_nothing_of_the_old_one(
    app: Chalice, client: Client
) -> None:
    cookie, csrf = clinician_session("c1")
    ticket = ticket_for(client, cookie, csrf)
    Clinician.get("c1").update(actions=[Clinician.clinic_id.set("k2")])

    refused = statuses(client, session_routes(app), cookie, csrf)
    assert refused == dict.fromkeys(refused, 401)
    assert connect(client, ticket) == {"statusCode": 401}
    new_cookie, new_csrf = clinician_session("c1")  # signed in again, now in k2
    headers = {"Cookie": new_cookie, CSRF_HEADER: new_csrf}
    assert client.http.get("/api/consultations/v1", headers=headers).status_code == 404
    day = client.http.get("/api/consultations?day=2026-11-24", headers=headers)
    assert json.loads(day.body)["consultations"] == []


def cancel() -> None:
    Consultation.get(ConsultationItem.partition("v1"), "CONSULTATION").update(
        actions=[Consultation.status.set("cancelled")]
    )


def remove_patient() -> None:
    Participant.get(ConsultationItem.partition("v1"), Participant.sort_key("p1")).delete()


def delete_consultation() -> None:
    Consultation.get(ConsultationItem.partition("v1"), "CONSULTATION").delete()


@pytest.mark.parametrize("lapse", [cancel, remove_patient, delete_consultation])
def test_a_participant_is_refused_on_every_route_and_websocket_once_the_consultation_lapses(
    app: Chalice, client: Client, lapse: Any
) -> None:
    cookie = participant_session()
    assert (
        client.http.get("/api/participant-session", headers={"Cookie": cookie}).status_code == 200
    )
    ticket = ticket_for(client, cookie)
    lapse()

    refused = statuses(client, session_routes(app), cookie)
    assert refused == dict.fromkeys(refused, 401)
    assert connect(client, ticket) == {"statusCode": 401}
    assert Connection.count() == 0


def test_a_participant_session_ends_with_the_consultation_and_its_grace(
    app: Chalice, client: Client, clock: FrozenClock
) -> None:
    cookie = participant_session()
    clock.advance(LINK_END - clock.now() - timedelta(seconds=1))
    assert (
        client.http.get("/api/participant-session", headers={"Cookie": cookie}).status_code == 200
    )
    ticket = ticket_for(client, cookie)
    clock.advance(timedelta(seconds=1))

    refused = statuses(client, session_routes(app), cookie)
    assert refused == dict.fromkeys(refused, 401)
    assert connect(client, ticket) == {"statusCode": 200}  # issued in time: 60 s to use it


def test_a_participant_ticket_opens_a_connection_for_that_participant(
    client: Client,
) -> None:
    ticket = ticket_for(client, participant_session())
    assert connect(client, ticket) == {"statusCode": 200}
    record = Connection.get("conn-1")
    assert (record.principal_kind, record.principal_id, record.consultation_id) == (
        "participant",
        "p1",
        "v1",
    )


def test_resuming_costs_one_read_of_the_clinician_or_the_consultation(
    client: Client, dynamodb_calls: list[str]
) -> None:
    cookie, _ = clinician_session("c1")
    participant = participant_session()
    dynamodb_calls.clear()
    services().sessions.resume(cookie.split("=", 1)[1])
    assert dynamodb_calls == ["GetItem", "GetItem"]  # the session, then the clinician
    dynamodb_calls.clear()
    services().participant_links.resume(participant.split("=", 1)[1])
    assert dynamodb_calls == ["GetItem", "BatchGetItem"]  # the session, then both items


def test_the_clinic_still_exists_for_a_participants_who_am_i(client: Client) -> None:
    cookie = participant_session()
    Clinic.get("k1").delete()
    response = client.http.get("/api/participant-session", headers={"Cookie": cookie})
    assert response.status_code == 401
