"""Bad input anywhere in the REST API is a 400 naming the problem, never a 500.

Found by an outside probe: a deeply nested body, a start in year 1 or 9999, and time zone
database files that are not zones (`localtime`, `Factory`, `posixrules`).
"""

from __future__ import annotations

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.config import Settings
from tests.support.clinic_api import FakeLinks, Session, body_of, create, error_field, payload
from tests.support.clinic_api import seed_clinics as seed
from tests.support.fakes import FakeWebsocketApi, FrozenClock

JSON = {"Content-Type": "application/json"}
NESTED = "[" * 15000
#: Nested in a field the model skips, and under the 16 KB limit: only the decoder can refuse.
NESTED_OBJECT = '{"a":' * 3000


@pytest.fixture
def app(
    tables: None, settings: Settings, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> Chalice:
    from app import app as chalice_app

    wiring.configure(
        chalice_app, settings, clock=clock, websocket_sender=websocket_api, link_issuer=FakeLinks()
    )
    seed()
    return chalice_app


@pytest.mark.parametrize("body", [NESTED, NESTED_OBJECT], ids=["arrays", "objects"])
@pytest.mark.parametrize(
    "path",
    ["/api/clinician/sign-in-links", "/api/clinician/sessions", "/api/participant-sessions"],
)
def test_a_deeply_nested_body_is_bad_json_on_public_routes(
    app: Chalice, path: str, body: str
) -> None:
    with Client(app) as client:
        response = client.http.post(path, headers=JSON, body=body)
    assert (response.status_code, body_of(response)["error"]["code"]) == (400, "bad_json")


@pytest.mark.parametrize("body", [NESTED, NESTED_OBJECT], ids=["arrays", "objects"])
def test_a_deeply_nested_body_is_bad_json_for_a_signed_in_clinician(
    app: Chalice, body: str
) -> None:
    with Client(app) as client:
        session = Session(client, "c1")
        created = create(session)["consultation_id"]
        responses = [
            client.http.request(method, path, headers=session._headers, body=body)
            for method, path in [
                ("POST", "/api/consultations"),
                ("PATCH", f"/api/consultations/{created}"),
                ("POST", f"/api/consultations/{created}/participants"),
            ]
        ]
    assert [(r.status_code, body_of(r)["error"]["code"]) for r in responses] == [
        (400, "bad_json")
    ] * 3


# The frozen clock stands at 2026-11-24T08:00Z.
@pytest.mark.parametrize(
    "starts_at",
    [
        "9999-12-31T23:00:00-05:00",  # past year 9999 in UTC
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC
        "1970-01-01T00:00:00+00:00",  # its items would never expire
        "2026-11-23T07:59:59+00:00",  # a second more than a day ago
        "2027-11-24T08:00:01+00:00",  # a second more than a year ahead
    ],
)
def test_a_start_out_of_bounds_is_400_on_create_and_on_change(app: Chalice, starts_at: str) -> None:
    with Client(app) as client:
        session = Session(client, "c1")
        created = create(session)["consultation_id"]
        refused = session.send("POST", "/api/consultations", payload(starts_at=starts_at))
        changed = session.send("PATCH", f"/api/consultations/{created}", {"starts_at": starts_at})
    assert (error_field(refused), error_field(changed)) == ("starts_at", "starts_at")


@pytest.mark.parametrize(
    "starts_at", ["2026-11-23T08:00:00+00:00", "2027-11-24T08:00:00+00:00"], ids=["day", "year"]
)
def test_a_start_exactly_at_a_bound_is_accepted(app: Chalice, starts_at: str) -> None:
    with Client(app) as client:
        session = Session(client, "c1")
        created = create(session, starts_at=starts_at)
    assert created["starts_at"] == starts_at


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules", "posix/Europe/Paris"])
def test_time_zone_database_files_that_are_not_zones_are_refused(app: Chalice, zone: str) -> None:
    with Client(app) as client:
        session = Session(client, "c1")
        created = create(session)["consultation_id"]
        refused = session.send("POST", "/api/consultations", payload(time_zone=zone))
        changed = session.send("PATCH", f"/api/consultations/{created}", {"time_zone": zone})
    assert (error_field(refused), error_field(changed)) == ("time_zone", "time_zone")


def test_an_unknown_field_of_a_participant_change_is_named(app: Chalice) -> None:
    with Client(app) as client:
        session = Session(client, "c1")
        created = create(session)
        patient = created["participants"][0]["participant_id"]
        path = f"/api/consultations/{created['consultation_id']}/participants/{patient}"
        response = session.send("PATCH", path, {"display_name": "A", "nickname": "x"})
    assert error_field(response) == "nickname"


def test_an_error_message_never_repeats_the_value_sent(app: Chalice) -> None:
    with Client(app) as client:
        session = Session(client, "c1")
        body = payload()
        body["patient"]["channels"] = ["+33612345678"]
        response = session.send("POST", "/api/consultations", body)
    error = body_of(response)["error"]
    assert error["field"] == "patient.channels"
    assert "+33612345678" not in error["message"]
