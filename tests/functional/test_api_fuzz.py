"""Schemathesis over every operation of the live OpenAPI document, in process.

Each operation gets a bounded number of generated requests (valid and invalid bodies, query
strings, path parameters, headers), sent with a signed-in clinician's cookie and CSRF header
and a participant's session cookie, so the checks reach past 401. No answer may be a server
error, every status must be documented for its operation, and every body must match the
documented schema.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import msgspec
import pytest
import schemathesis
from chalice import Chalice
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import app as vestibule
from chalicelib import wiring
from chalicelib.config import Settings
from chalicelib.consultations import parsing
from chalicelib.consultations.parsing import NewConsultation
from chalicelib.consultations.request_bodies import NewConsultationBody
from chalicelib.participants.links import COOKIE_NAME as PARTICIPANT_COOKIE
from chalicelib.routes.clinician_auth import COOKIE_NAME, CSRF_HEADER
from chalicelib.routes.openapi_document import document
from chalicelib.store.models import Clinician, Consultation, Participant
from tests.support.chalice_wsgi import wsgi_app
from tests.support.clinic_api import SENDER, payload, seed_clinics
from tests.support.fakes import FakeWebsocketApi, FrozenClock

BASE_URL = "https://vestibule.example"
#: Examples per operation: about 20 operations, well under a minute in all.
EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


schema = schemathesis.openapi.from_dict(document())
schema.app = wsgi_app(vestibule)
# Examples and generated (valid and invalid) requests. The coverage phase is left out: it
# probes undeclared methods and content types, which API Gateway answers, not the app.
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture
def app(
    tables: None, settings: Settings, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> Chalice:
    settings = dataclasses.replace(settings, sender_email=SENDER, public_base_url=BASE_URL)
    wiring.configure(vestibule, settings, clock=clock, websocket_sender=websocket_api)
    seed_clinics()
    return vestibule


@dataclasses.dataclass
class SignedIn:
    """A clinician's session cookie and CSRF header, a participant's session cookie, and
    the ids of a real consultation and its patient for every other request's path."""

    cookies: dict[str, str]
    headers: dict[str, str]
    ids: dict[str, str]
    calls: int = 0

    def aim(self, case: Any) -> None:
        """Every other request goes to the real consultation, the others to generated ids."""
        self.calls += 1
        if self.calls % 2 and case.path_parameters:
            known = {name: self.ids[name] for name in case.path_parameters if name in self.ids}
            case.path_parameters = {**case.path_parameters, **known}


@pytest.fixture
def signed_in(app: Chalice) -> SignedIn:
    services = wiring.services()
    clinician = services.sessions.start(Clinician.get("c1"))
    principal = services.sessions.resume(clinician.token)
    record = services.consultations.create(principal, _new_consultation(services.clock.now()))
    participant_session = _participant_session(record.consultation, record.participants[0])
    return SignedIn(
        cookies={COOKIE_NAME: clinician.token, PARTICIPANT_COOKIE: participant_session},
        headers={CSRF_HEADER: clinician.csrf_token},
        ids={
            "consultation_id": record.consultation.consultation_id,
            "participant_id": record.participants[0].participant_id,
        },
    )


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(
    case: Any, signed_in: SignedIn
) -> None:
    signed_in.aim(case)
    case.call_and_validate(headers=signed_in.headers, cookies=signed_in.cookies, checks=CHECKS)


def _new_consultation(now: datetime) -> NewConsultation:
    body = msgspec.convert(payload(), NewConsultationBody)
    return parsing.new_consultation(body, caller_id="c1", now=now)


def _participant_session(consultation: Consultation, participant: Participant) -> str:
    services = wiring.services()
    link = services.participant_links.issue_link(consultation, participant)
    token = link.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    started = services.participant_links.exchange(token, access_code=None, browser_language=None)
    return started.token
