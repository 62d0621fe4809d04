"""Change notices: a new start time tells each invited participant once, with a new link."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.config import Settings
from chalicelib.consultations.schedule import Consultations
from chalicelib.messaging.courier import Courier
from chalicelib.store.models import Consultation, ConsultationItem
from tests.functional import test_consultations as scheduling
from tests.support.clinic_api import (
    PHONE,
    STARTS,
    FakeLinks,
    Session,
    body_of,
    create,
    payload,
)
from tests.support.fakes import FakeWebsocketApi, FrozenClock
from tests.support.moto_messages import mail_sent, parsed, plain_texts, sms_sent

# The clinics, clinicians and fake links of the consultation tests.
app, links, settings = scheduling.app, scheduling.links, scheduling.settings

MOVED = "2026-11-25T14:00:00+01:00"  # 13:00 UTC: 15:00 in Helsinki
LINK = re.compile(r"/j/#([\w-]+)")


class Booked:
    """One created consultation with its patient, and the paths to change and invite."""

    def __init__(self, session: Session, **changes: Any) -> None:
        created = create(session, **changes)
        self.session = session
        self.path = f"/api/consultations/{created['consultation_id']}"
        self.invite_path = (
            f"{self.path}/participants/{created['participants'][0]['participant_id']}/invitations"
        )

    def invite(self, channel: str) -> None:
        response = self.session.send("POST", self.invite_path, {"channel": channel})
        assert response.status_code == 200, response.body
        assert body_of(response)["status"] == "sent"

    def change(self, body: dict[str, Any]) -> Any:
        response = self.session.send("PATCH", self.path, body)
        assert response.status_code == 200, response.body
        return body_of(response)

    def deliveries(self) -> list[tuple[str, str, str, int]]:
        [participant] = body_of(self.session.get(self.path))["participants"]
        return [
            (d["channel"], d["purpose"], d["status"], d["attempt"])
            for d in participant["deliveries"]
        ]


def token_in(text: str) -> str:
    match = LINK.search(text)
    assert match is not None, text
    return match.group(1)


def exchange(client: Client, token: str) -> Any:
    return client.http.post(
        "/api/participant-sessions",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"token": token}),
    )


@pytest.fixture
def real_links(
    app: Chalice, settings: Settings, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> None:
    """The app with the real participant links, so that sent links can be exchanged."""
    wiring.configure(app, settings, clock=clock, websocket_sender=websocket_api)


def test_a_move_tells_the_invited_on_each_channel_in_their_language_with_a_new_working_link(
    app: Chalice, real_links: None
) -> None:
    patient = {**payload()["patient"], "language": "de"}
    with Client(app) as client:
        booked = Booked(Session(client, "c1"), patient=patient)
        booked.invite("sms")
        booked.invite("email")
        booked.change({"starts_at": MOVED, "time_zone": "Europe/Helsinki"})
        deliveries = booked.deliveries()
        (_, sms_invitation), (phone, sms_notice) = sms_sent()
        email_invitation, email_notice = plain_texts()
        new_tokens = [token_in(sms_notice), token_in(email_notice)]
        old_tokens = [token_in(sms_invitation), token_in(email_invitation)]
        answers = [exchange(client, token).status_code for token in new_tokens + old_tokens]

    assert phone == PHONE
    assert "wurde auf Mittwoch, 25. November um 15:00 verlegt. Hier teilnehmen:" in sms_notice
    assert "hat Ihre Videosprechstunde auf Mittwoch, 25. November um 15:00 verlegt" in email_notice
    assert len(set(new_tokens + old_tokens)) == 4  # a new link on each channel
    assert answers == [201, 201, 201, 201]  # the new links work, and so do the old ones
    [notice] = mail_sent()[1:]
    subject = str(parsed(notice)["Subject"])
    assert "Neuer Termin für Ihre Videosprechstunde bei Clinic k1" in subject
    assert "text/html" in notice.raw_data and "<qr@vestibule>" in notice.raw_data
    assert deliveries == [
        ("email", "change", "sent", 1),
        ("email", "invitation", "sent", 1),
        ("sms", "change", "sent", 1),
        ("sms", "invitation", "sent", 1),
    ]


def test_a_participant_never_invited_is_not_told(app: Chalice) -> None:
    with Client(app) as client:
        booked = Booked(Session(client, "c1"))
        booked.change({"starts_at": MOVED})
        deliveries = booked.deliveries()
    assert (sms_sent(), mail_sent(), deliveries) == ([], [], [])


@pytest.mark.parametrize(
    "change",
    [
        {"starts_at": STARTS},
        {"duration_minutes": 45},
        {"language": "de", "time_zone": "Europe/Berlin"},
    ],
    ids=["same-start", "duration", "language-and-zone"],
)
def test_a_change_that_keeps_the_start_tells_nobody(app: Chalice, change: dict[str, Any]) -> None:
    with Client(app) as client:
        booked = Booked(Session(client, "c1"))
        booked.invite("sms")
        booked.change(change)
        deliveries = booked.deliveries()
    assert len(sms_sent()) == 1
    assert deliveries == [("sms", "invitation", "sent", 1)]


def test_a_repeated_move_tells_once_and_each_new_move_tells_again(
    app: Chalice, links: FakeLinks
) -> None:
    with Client(app) as client:
        booked = Booked(Session(client, "c1"))
        booked.invite("sms")
        first = booked.change({"starts_at": MOVED})
        repeated = booked.change({"starts_at": MOVED})
        after_first = booked.deliveries()
        second = booked.change({"starts_at": "2026-11-26T09:00:00+01:00"})
        after_second = booked.deliveries()

    texts = [text for _, text in sms_sent()]
    assert len(texts) == 3
    assert "déplacée au mercredi 25 novembre à 14:00" in texts[1]
    assert "déplacée au jeudi 26 novembre à 09:00" in texts[2]
    assert links.issued[1] in texts[1] and links.issued[-1] in texts[2]
    assert (first["starts_at"], repeated["starts_at"]) == ("2026-11-25T13:00:00+00:00",) * 2
    assert second["starts_at"] == "2026-11-26T08:00:00+00:00"
    assert ("sms", "change", "sent", 1) in after_first
    assert ("sms", "change", "sent", 2) in after_second


def test_someone_invited_after_the_move_is_not_told_of_it(app: Chalice, clock: FrozenClock) -> None:
    with Client(app) as client:
        booked = Booked(Session(client, "c1"))
        booked.change({"starts_at": MOVED})
        clock.advance(timedelta(minutes=1))
        booked.invite("sms")
        booked.change({"starts_at": MOVED, "duration_minutes": 30})  # the form sent again
        deliveries = booked.deliveries()
    assert len(sms_sent()) == 1
    assert deliveries == [("sms", "invitation", "sent", 1)]


@pytest.mark.crashes_on_purpose
def test_a_repeated_move_completes_the_notices_a_failed_run_did_not_send(
    app: Chalice, monkeypatch: pytest.MonkeyPatch
) -> None:
    send_change = Courier.send_change

    def dies_before_email(self: Courier, *args: Any, **kwargs: Any) -> Any:
        if args[3] == "email":
            raise RuntimeError("the Lambda timed out")
        return send_change(self, *args, **kwargs)

    with Client(app) as client:
        booked = Booked(Session(client, "c1"))
        booked.invite("sms")
        booked.invite("email")
        monkeypatch.setattr(Courier, "send_change", dies_before_email)
        failed = booked.session.send("PATCH", booked.path, {"starts_at": MOVED})
        monkeypatch.setattr(Courier, "send_change", send_change)
        booked.change({"starts_at": MOVED})
        deliveries = booked.deliveries()

    assert failed.status_code == 500
    assert len(sms_sent()) == 2 and len(mail_sent()) == 2  # invitation + notice, each once
    assert ("email", "change", "sent", 1) in deliveries
    assert ("sms", "change", "sent", 1) in deliveries


def test_with_an_access_code_the_new_link_has_a_new_code_on_the_other_channel(
    app: Chalice, links: FakeLinks
) -> None:
    with Client(app) as client:
        booked = Booked(Session(client, "c1"), access_code_required=True)
        booked.invite("sms")
        booked.change({"starts_at": MOVED})
        booked.change({"starts_at": MOVED})
        deliveries = booked.deliveries()

    invitation_code, notice_code = links.codes  # the repeated move issued no link
    assert notice_code is not None and invitation_code is not None
    (_, _), (_, notice) = sms_sent()
    assert links.issued[1] in notice and notice_code not in notice
    first_code, second_code = plain_texts()
    assert invitation_code in first_code and notice_code in second_code
    assert deliveries == [
        ("email", "access_code", "sent", 2),
        ("sms", "change", "sent", 1),
        ("sms", "invitation", "sent", 1),
    ]


def test_a_move_racing_another_one_is_refused_and_counts_once(
    app: Chalice, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = Consultations.get
    raced: list[bool] = []

    def read_then_another_move_commits(self: Consultations, *args: Any) -> Any:
        record = read(self, *args)
        if not raced:  # another request moves it between this read and this write
            raced.append(True)
            stored = Consultation.get(record.consultation.pk, record.consultation.sk)
            stored.update(
                actions=[
                    ConsultationItem.starts_at.set(datetime(2026, 11, 26, 8, tzinfo=UTC)),
                    Consultation.revision.add(1),
                ]
            )
        return record

    with Client(app) as client:
        booked = Booked(Session(client, "c1"))
        monkeypatch.setattr(Consultations, "get", read_then_another_move_commits)
        racing = booked.session.send("PATCH", booked.path, {"starts_at": MOVED})
        monkeypatch.setattr(Consultations, "get", read)
        after = body_of(booked.session.get(booked.path))

    assert racing.status_code == 409, racing.body
    assert after["starts_at"] == "2026-11-26T08:00:00+00:00"
    [consultation] = [i for i in ConsultationItem.scan() if isinstance(i, Consultation)]
    assert consultation.revision == 1
