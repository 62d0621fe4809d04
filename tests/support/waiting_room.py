"""A waiting room for functional tests: clinics, a consultation made through the API,
participants' sessions from real links, and websocket connections that record pushes.

The consultation of `payload()` starts at 09:30 UTC (10:30 in Paris) and lasts 20 minutes;
the clock starts at 08:00 UTC, and joining opens at 09:20.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.auth.principals import Principal
from chalicelib.config import Settings
from chalicelib.participants.links import COOKIE_NAME
from chalicelib.store.models import CONSULTATION_SK, Consultation, ConsultationItem, Participant
from tests.conftest import START
from tests.support.clinic_api import SENDER, Session, create, seed_clinics
from tests.support.fakes import FakeWebsocketApi, FrozenClock

BASE_URL = "https://vestibule.example"


def sending(settings: Settings) -> Settings:
    """The tests' settings with a sender address and the site's address: messages go out."""
    return dataclasses.replace(settings, sender_email=SENDER, public_base_url=BASE_URL)


def wired_app(settings: Settings, clock: FrozenClock, websocket_api: FakeWebsocketApi) -> Chalice:
    """The real app wired to moto, the clock and the fake websocket sender; clinics seeded."""
    from app import app as chalice_app

    wiring.configure(chalice_app, settings, clock=clock, websocket_sender=websocket_api)
    seed_clinics()
    return chalice_app


JSON = {"Content-Type": "application/json"}
#: 09:21 UTC: the joining window (10 minutes before 09:30) is open.
WINDOW_OPEN = timedelta(hours=1, minutes=21)


def consultation(consultation_id: str) -> Consultation:
    return Consultation.get(ConsultationItem.partition(consultation_id), CONSULTATION_SK)


def participant(consultation_id: str, participant_id: str) -> Participant:
    return Participant.get(
        ConsultationItem.partition(consultation_id), Participant.sort_key(participant_id)
    )


@dataclass
class Patient:
    """A participant's browser: their session cookie and their websocket connection."""

    client: Client
    consultation_id: str
    participant_id: str
    cookie: str
    connection_id: str

    def get(self, path: str = "/api/participant/waiting-room") -> Any:
        return self.client.http.get(path, headers={"Cookie": f"{COOKIE_NAME}={self.cookie}"})

    def send(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.http.request(
            method,
            path,
            headers={**JSON, "Cookie": f"{COOKIE_NAME}={self.cookie}"},
            body=json.dumps(body if body is not None else {}),
        )

    def room(self) -> dict[str, Any]:
        response = self.get()
        assert response.status_code == 200, response.body
        answer: dict[str, Any] = json.loads(response.body)
        return answer

    def accept_terms(self) -> None:
        """Accept the terms the waiting room shows, through the consent route."""
        terms = self.room()["terms"]
        response = self.send(
            "POST",
            "/api/participant/consents",
            {
                "terms_version": terms["version"],
                "sha256": terms["sha256"],
                "language": terms["language"],
            },
        )
        assert response.status_code in (200, 201), response.body


@dataclass
class World:
    client: Client
    websocket_api: FakeWebsocketApi

    def clinician(self, clinician_id: str) -> Session:
        """A fresh sign-in at the clock's time (sessions are shorter than a test's hours)."""
        return Session(self.client, clinician_id)

    def schedule(self, clinician_id: str = "c1", **changes: Any) -> str:
        created = create(self.clinician(clinician_id), **changes)
        consultation_id: str = created["consultation_id"]
        return consultation_id

    def patient_of(self, consultation_id: str, connection_id: str | None = None) -> Patient:
        """The patient opens their link (a real one): a session, and a live connection."""
        item = consultation(consultation_id)
        [patient] = [
            p
            for p in ConsultationItem.query(item.pk)
            if isinstance(p, Participant) and p.role == "patient"
        ]
        link = wiring.services().participant_links.issue_link(item, patient)
        token = link.rpartition("#")[2]
        response = self.client.http.post(
            "/api/participant-sessions", headers=JSON, body=json.dumps({"token": token})
        )
        assert response.status_code == 201, response.body
        cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
        connection_id = connection_id or f"ws-{patient.participant_id[:6]}"
        self.connect_participant(connection_id, item.clinic_id, consultation_id, patient)
        return Patient(self.client, consultation_id, patient.participant_id, cookie, connection_id)

    def connect_participant(
        self, connection_id: str, clinic_id: str, consultation_id: str, who: Participant
    ) -> None:
        wiring.services().connections.record(
            connection_id,
            Principal(
                kind="participant",
                id=who.participant_id,
                clinic_id=clinic_id,
                consultation_id=consultation_id,
            ),
        )

    def dashboard(self, connection_id: str, clinician_id: str, clinic_id: str) -> str:
        wiring.services().connections.record(
            connection_id, Principal.of_clinician(clinician_id, clinic_id)
        )
        return connection_id

    def frames(self, connection_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [
            frame
            for frame in self.websocket_api.frames(connection_id)
            if kind is None or frame["type"] == kind
        ]


__all__ = ["BASE_URL", "START", "WINDOW_OPEN", "World"]
