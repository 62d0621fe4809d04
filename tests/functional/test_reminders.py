"""The reminder SMS before a consultation: sent once by the sweeper, at start - lead time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.store.models import (
    Clinic,
    ClinicSettings,
    ConsultationItem,
    Participant,
    due_day_key,
)
from tests.functional import test_consultations as scheduling
from tests.functional.test_consultations import PHONE, Session, create, sms_sent
from tests.support.fakes import FrozenClock

# The clinics, clinicians and fake links of the consultation tests.
app, links, settings = scheduling.app, scheduling.links, scheduling.settings

# The consultation of `payload()` starts at 09:30 UTC; the clock starts at 08:00 UTC.
TEN_TO = timedelta(minutes=80)


def sweep(client: Client) -> Any:
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    return client.lambda_.invoke("sweep", event).payload


def test_a_reminder_goes_out_once_at_the_lead_time_with_a_link_in_the_participants_language(
    app: Chalice, clock: FrozenClock
) -> None:
    with Client(app) as client:
        create(Session(client, "c1"))
        clock.advance(TEN_TO - timedelta(minutes=1))
        early = sweep(client)
        sent_early = sms_sent()
        clock.advance(timedelta(minutes=1))
        due = sweep(client)
        again = sweep(client)
        retried = _retry_reminders()

    assert early == {"handled": 0, "failed": 0} and sent_early == []
    assert due == {"handled": 1, "failed": 0}
    assert again == {"handled": 0, "failed": 0}
    assert retried == 0
    [(phone, text)] = sms_sent()
    assert phone == PHONE
    assert "Clinic k1 : votre consultation vidéo commence dans 10 minutes" in text
    assert "https://vestibule.example/j/#" in text


def _retry_reminders() -> int:
    """A Lambda retry: the same due work handled again sends nothing (the ledger's claim)."""
    [participant] = [i for i in ConsultationItem.scan() if isinstance(i, Participant)]
    due_at = wiring.services().clock.now()
    participant.update(
        actions=[
            ConsultationItem.due_at.set(due_at),
            ConsultationItem.due_day.set(due_day_key(due_at)),
        ]
    )
    before = len(sms_sent())
    swept = wiring.services().reminders.run()
    assert swept.handled == 1
    return len(sms_sent()) - before


def test_the_clinics_lead_time_is_honoured(app: Chalice, clock: FrozenClock) -> None:
    clinic = Clinic.get("k1")
    clinic.update(actions=[Clinic.settings.set(ClinicSettings(reminder_lead_minutes=30))])
    with Client(app) as client:
        create(Session(client, "c1"))
        clock.advance(timedelta(minutes=59))
        early = sweep(client)
        clock.advance(timedelta(minutes=1))
        due = sweep(client)

    assert (early["handled"], due["handled"]) == (0, 1)
    [(_, text)] = sms_sent()
    assert "dans 30 minutes" in text


def test_a_rescheduled_consultation_reminds_at_the_new_time_only(
    app: Chalice, clock: FrozenClock
) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        consultation_id = create(c1)["consultation_id"]
        response = c1.send(
            "PATCH",
            f"/api/consultations/{consultation_id}",
            {"starts_at": "2026-11-24T11:30:00+01:00"},
        )
        assert response.status_code == 200, response.body
        clock.advance(TEN_TO)
        at_old_time = sweep(client)
        clock.advance(timedelta(hours=1))
        at_new_time = sweep(client)

    assert at_old_time["handled"] == 0
    assert at_new_time == {"handled": 1, "failed": 0}
    assert len(sms_sent()) == 1


def test_a_reminder_sent_for_the_old_time_does_not_swallow_the_one_for_the_new_time(
    app: Chalice, clock: FrozenClock
) -> None:
    with Client(app) as client:
        consultation_id = create(Session(client, "c1"))["consultation_id"]
        clock.advance(TEN_TO)
        at_old_time = sweep(client)
        response = Session(client, "c1").send(  # a new sign-in: sessions are shorter
            "PATCH",
            f"/api/consultations/{consultation_id}",
            {"starts_at": "2026-11-24T11:30:00+01:00"},
        )
        assert response.status_code == 200, response.body
        clock.advance(timedelta(minutes=59))
        early = sweep(client)
        clock.advance(timedelta(minutes=1))
        at_new_time = sweep(client)
        again = sweep(client)

    assert at_old_time == at_new_time == {"handled": 1, "failed": 0}
    assert early == again == {"handled": 0, "failed": 0}
    texts = [text for _, text in sms_sent()]
    assert len(texts) == 2
    assert all("commence dans 10 minutes" in text for text in texts)


def test_a_cancelled_consultation_never_reminds(app: Chalice, clock: FrozenClock) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        consultation_id = create(c1)["consultation_id"]
        response = c1.send("POST", f"/api/consultations/{consultation_id}/cancel")
        assert response.status_code == 200, response.body
        clock.advance(TEN_TO)
        swept = sweep(client)

    assert swept == {"handled": 0, "failed": 0}
    assert sms_sent() == []


def test_a_participant_without_a_phone_gets_no_sms(app: Chalice, clock: FrozenClock) -> None:
    patient = {"display_name": "Bob", "email": "bob@example.org", "channels": ["email"]}
    with Client(app) as client:
        create(Session(client, "c1"), patient=patient)
        clock.advance(TEN_TO)
        swept = sweep(client)

    assert swept == {"handled": 0, "failed": 0}
    assert sms_sent() == []


def test_the_sweeper_finds_due_work_without_a_scan(
    app: Chalice, clock: FrozenClock, dynamodb_calls: list[str]
) -> None:
    with Client(app) as client:
        create(Session(client, "c1"))
        clock.advance(TEN_TO)
        dynamodb_calls.clear()
        sweep(client)
        idle_calls = list(dynamodb_calls)
        dynamodb_calls.clear()
        sweep(client)

    assert "Scan" not in idle_calls
    assert idle_calls.count("Query") == 3  # today's and yesterday's buckets, one waiting room
    assert dynamodb_calls == ["Query", "Query"]
