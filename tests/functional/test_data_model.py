"""The tables come from the models and serve each access pattern with one request."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import boto3
import pytest
from pynamodb.attributes import TTLAttribute

from chalicelib.clinics.staff import ClinicianAccounts
from chalicelib.config import Settings
from chalicelib.consultations import queries
from chalicelib.errors import NotFound
from chalicelib.store.models import (
    MAX_PARTICIPANTS,
    RECENT_CHAT_MESSAGES,
    TABLE_MODELS,
    Clinic,
    Clinician,
    ClinicTerms,
    Connection,
    ConsultationItem,
    Participant,
    due_day_key,
)
from chalicelib.store.tables import create_tables
from tests.conftest import START
from tests.support import builders
from tests.support.fakes import FrozenClock

#: Models that hold no personal data and so need no retention TTL.
#: Clinics and their terms (texts and a clinician id) hold no personal data.
NO_PERSONAL_DATA = {Clinic, ClinicTerms}
#: Models whose items may lack `expires_at`, and the rule that sets it.
EXPIRY_SET_LATER = {
    Clinician: "kept while active; deactivating sets it (chalicelib.clinics.staff)",
    ConsultationItem: "the base class: each kind of item is written with its expiry",
}
RETENTION = timedelta(days=30)


def test_every_table_is_created_from_the_models_with_its_ttl(
    tables: None, settings: Settings
) -> None:
    dynamodb = boto3.client("dynamodb")
    names = set(dynamodb.list_tables()["TableNames"])
    for model in TABLE_MODELS:
        assert model.Meta.table_name in names
        assert model.Meta.table_name.startswith(settings.table_prefix)
        ttl = dynamodb.describe_time_to_live(TableName=model.Meta.table_name)
        expected = "DISABLED" if model in NO_PERSONAL_DATA else "ENABLED"
        assert ttl["TimeToLiveDescription"]["TimeToLiveStatus"] == expected
    assert create_tables() == []  # a second run creates nothing


def test_every_model_with_personal_data_has_a_ttl_attribute() -> None:
    for model in TABLE_MODELS:
        ttl_attributes = [
            name
            for name, attribute in model.get_attributes().items()
            if isinstance(attribute, TTLAttribute)
        ]
        assert ttl_attributes == ([] if model in NO_PERSONAL_DATA else ["expires_at"]), model


def test_only_models_with_a_named_rule_may_hold_items_without_an_expiry() -> None:
    optional = {
        model
        for model in TABLE_MODELS
        if model not in NO_PERSONAL_DATA and model.get_attributes()["expires_at"].null
    }
    assert optional == set(EXPIRY_SET_LATER)


def saved_clinician(clinician_id: str = "d1") -> Clinician:
    clinician = Clinician(
        clinician_id=clinician_id,
        clinic_id="k1",
        email=f"{clinician_id}@clinic.test",
        display_name="Dr Test",
        created_at=START,
    )
    clinician.save()
    return clinician


def test_an_active_clinicians_personal_data_is_kept_while_active(tables: None) -> None:
    saved_clinician()
    assert Clinician.get("d1").expires_at is None


def test_a_deactivated_clinicians_personal_data_expires_one_retention_period_later(
    tables: None, clock: FrozenClock
) -> None:
    saved_clinician()
    clock.advance(timedelta(days=400))
    expires_at = ClinicianAccounts(clock=clock, retention=RETENTION).deactivate("d1")
    stored = Clinician.get("d1")
    assert expires_at == stored.expires_at == clock.now() + RETENTION
    assert stored.active is False


def test_deactivating_again_does_not_push_the_deletion_further(
    tables: None, clock: FrozenClock
) -> None:
    saved_clinician()
    accounts = ClinicianAccounts(clock=clock, retention=RETENTION)
    first = accounts.deactivate("d1")
    clock.advance(timedelta(days=10))
    assert accounts.deactivate("d1") is None
    assert Clinician.get("d1").expires_at == first


def test_racing_deactivations_set_one_expiry_and_one_of_them_wins(tables: None) -> None:
    saved_clinician()
    contenders = [
        ClinicianAccounts(clock=FrozenClock(START + timedelta(hours=n)), retention=RETENTION)
        for n in range(8)
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda accounts: accounts.deactivate("d1"), contenders))
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    assert Clinician.get("d1").expires_at == winners[0]


def test_reactivating_keeps_the_clinician_again(tables: None, clock: FrozenClock) -> None:
    saved_clinician()
    accounts = ClinicianAccounts(clock=clock, retention=RETENTION)
    accounts.deactivate("d1")
    assert accounts.reactivate("d1") is True
    stored = Clinician.get("d1")
    assert (stored.active, stored.expires_at) == (True, None)
    assert accounts.reactivate("d1") is False


def test_an_unknown_clinician_cannot_be_deactivated_or_reactivated(
    tables: None, clock: FrozenClock
) -> None:
    accounts = ClinicianAccounts(clock=clock, retention=RETENTION)
    with pytest.raises(NotFound):
        accounts.deactivate("ghost")
    with pytest.raises(NotFound):
        accounts.reactivate("ghost")
    assert Clinician.count() == 0  # no bare item was written


def test_waiting_room_loads_in_one_query(dynamodb_calls: list[str]) -> None:
    builders.consultation("c1", clinic_id="k1", starts_at=START).save()
    for number in range(RECENT_CHAT_MESSAGES + 10):
        builders.chat("c1", number, START + timedelta(seconds=number)).save()
    for participant_id in ("p1", "p2", "p3", "p4"):
        builders.participant("c1", participant_id).save()
    builders.assignment("c1", "d1", clinic_id="k1", starts_at=START).save()
    builders.consultation("other", clinic_id="k1", starts_at=START).save()
    dynamodb_calls.clear()

    room = queries.load_waiting_room("c1")

    assert dynamodb_calls == ["Query"]
    assert room.consultation.consultation_id == "c1"
    assert [p.participant_id for p in room.participants] == ["p1", "p2", "p3", "p4"]
    assert len(room.participants) == MAX_PARTICIPANTS
    texts = [message.text for message in room.recent_chat]
    assert len(texts) == RECENT_CHAT_MESSAGES
    assert texts[0] == "message 10" and texts[-1] == f"message {RECENT_CHAT_MESSAGES + 9}"


def test_waiting_room_of_unknown_consultation_is_not_found(tables: None) -> None:
    builders.participant("ghost", "p1").save()
    with pytest.raises(NotFound):
        queries.load_waiting_room("ghost")


def test_clinic_day_is_one_query_in_start_order(dynamodb_calls: list[str]) -> None:
    builders.consultation("late", clinic_id="k1", starts_at=START + timedelta(hours=3)).save()
    builders.consultation("early", clinic_id="k1", starts_at=START).save()
    builders.consultation("tomorrow", clinic_id="k1", starts_at=START + timedelta(days=1)).save()
    builders.consultation("elsewhere", clinic_id="k2", starts_at=START).save()
    dynamodb_calls.clear()

    day = queries.clinic_day("k1", START.date())

    assert dynamodb_calls == ["Query"]
    assert [c.consultation_id for c in day] == ["early", "late"]


def test_clinician_day_lists_only_that_clinicians_assignments(
    dynamodb_calls: list[str],
) -> None:
    builders.assignment("c2", "d1", clinic_id="k1", starts_at=START + timedelta(hours=1)).save()
    builders.assignment("c1", "d1", clinic_id="k1", starts_at=START).save()
    builders.assignment("c1", "d2", clinic_id="k1", starts_at=START).save()
    dynamodb_calls.clear()

    day = queries.clinician_day("d1", START.date())

    assert dynamodb_calls == ["Query"]
    assert [(a.consultation_id, a.clinician_id) for a in day] == [("c1", "d1"), ("c2", "d1")]


def test_due_work_is_found_in_the_sparse_index_without_a_scan(
    dynamodb_calls: list[str],
) -> None:
    due = builders.participant("c1", "p1")
    due.due_at, due.due_day = START - timedelta(minutes=1), due_day_key(START)
    due.save()
    later = builders.participant("c1", "p2")
    later.due_at, later.due_day = START + timedelta(minutes=5), due_day_key(START)
    later.save()
    overnight = builders.participant("c2", "p1")
    overnight.due_at = START - timedelta(hours=9)  # yesterday, UTC
    overnight.due_day = due_day_key(overnight.due_at)
    overnight.save()
    builders.participant("c3", "p1").save()  # nothing scheduled: not in the index
    dynamodb_calls.clear()

    keys = queries.due_work(START)

    assert "Scan" not in dynamodb_calls and set(dynamodb_calls) == {"Query"}
    assert sorted(keys) == sorted(
        [
            (ConsultationItem.partition("c1"), Participant.sort_key("p1")),
            (ConsultationItem.partition("c2"), Participant.sort_key("p1")),
        ]
    )


def test_a_connection_is_found_with_one_get_item(dynamodb_calls: list[str]) -> None:
    Connection(
        connection_id="abc=",
        principal_kind="participant",
        principal_id="p1",
        clinic_id="k1",
        consultation_id="c1",
        connected_at=START,
        expires_at=START + timedelta(hours=2),
    ).save()
    dynamodb_calls.clear()

    found = Connection.get("abc=")

    assert dynamodb_calls == ["GetItem"]
    assert (found.principal_id, found.consultation_id) == ("p1", "c1")
