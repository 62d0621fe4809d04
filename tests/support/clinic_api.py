"""A clinic for functional tests of the REST API: two clinics, their clinicians, and a
signed-in clinician's requests; plus readers of the SMS and emails moto recorded.

Clinic `k1` has active clinicians `c1`, `c2` and an inactive `c4`; clinic `k2` has `c3`.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from chalice.test import Client

from chalicelib import wiring
from chalicelib.routes.clinician_auth import COOKIE_NAME, CSRF_HEADER
from chalicelib.store.models import Clinic, Clinician, Consultation, ConsultationItem, Participant
from tests.conftest import START
from tests.support.moto_messages import REGION

SENDER = "no-reply@clinic.example"
PHONE = "+33612345678"
STARTS = "2026-11-24T10:30:00+01:00"


class FakeLinks:
    """Stands in for the participant-links module: a new link per call, remembered."""

    def __init__(self) -> None:
        self.issued: list[str] = []
        self.codes: list[str | None] = []

    def issue_link(
        self,
        consultation: Consultation,
        participant: Participant,
        *,
        clinic: Clinic | None = None,
        access_code: str | None = None,
    ) -> str:
        link = f"https://vestibule.example/j/#{participant.participant_id}-{len(self.issued)}"
        self.issued.append(link)
        self.codes.append(access_code)
        return link


def seed_clinics() -> None:
    """The two clinics and their clinicians, and SES's verified sender."""
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
    for clinic_id in ("k1", "k2"):
        Clinic(
            clinic_id=clinic_id,
            name=f"Clinic {clinic_id}",
            time_zone="Europe/Paris",
            created_at=START,
        ).save()
    for clinician_id, clinic_id, active in (
        ("c1", "k1", True),
        ("c2", "k1", True),
        ("c3", "k2", True),
        ("c4", "k1", False),
    ):
        Clinician(
            clinician_id=clinician_id,
            clinic_id=clinic_id,
            email=f"{clinician_id}@clinic.example",
            display_name=f"Dr {clinician_id}",
            active=active,
            created_at=START,
        ).save()


class Session:
    """A signed-in clinician's requests: the session cookie and the CSRF header."""

    def __init__(self, client: Client, clinician_id: str) -> None:
        started = wiring.services().sessions.start(Clinician.get(clinician_id))
        self._client = client
        self._headers = {
            "Content-Type": "application/json",
            "Cookie": f"{COOKIE_NAME}={started.token}",
            CSRF_HEADER: started.csrf_token,
        }

    def get(self, path: str) -> Any:
        return self._client.http.get(path, headers=self._headers)

    def send(self, method: str, path: str, body: Any = None, *, csrf: bool = True) -> Any:
        headers = dict(self._headers)
        if not csrf:
            headers.pop(CSRF_HEADER)
        return self._client.http.request(
            method, path, headers=headers, body=json.dumps(body if body is not None else {})
        )


def payload(**changes: Any) -> dict[str, Any]:
    patient = {"display_name": "Alice Martin", "phone": PHONE, "email": "alice@example.org"}
    body: dict[str, Any] = {
        "starts_at": STARTS,
        "time_zone": "Europe/Paris",
        "duration_minutes": 20,
        "language": "fr",
        "patient": {**patient, "channels": ["sms", "email"]},
        "access_code_required": False,
    }
    body.update(changes)
    return body


def body_of(response: Any) -> Any:
    return json.loads(response.body)


def error_field(response: Any) -> str:
    assert response.status_code == 400, response.body
    field: str = body_of(response)["error"]["field"]
    return field


def items() -> list[ConsultationItem]:
    return list(ConsultationItem.scan())


def create(session: Session, **changes: Any) -> dict[str, Any]:
    response = session.send("POST", "/api/consultations", payload(**changes))
    assert response.status_code == 201, response.body
    created: dict[str, Any] = body_of(response)
    return created


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.body
    return [entry["consultation_id"] for entry in body_of(response)["consultations"]]
