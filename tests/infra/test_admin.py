"""`python -m infra.admin create-clinic` creates the first clinic and clinician (against moto)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from moto.server import ThreadedMotoServer

from chalicelib.config import Settings
from chalicelib.store.models import Clinic, Clinician
from chalicelib.store.tables import bind_models, create_tables
from infra import admin
from tests.conftest import TEST_ENVIRONMENT

ARGS = [
    "create-clinic",
    "--stage",
    "test",
    "--clinic-id",
    "north",
    "--name",
    "North Clinic",
    "--time-zone",
    "Europe/Helsinki",
    "--language",
    "fi",
    "--clinician-email",
    "Dr.First@North.Example",
    "--clinician-name",
    "Dr First",
    "--clinician-id",
    "first",
]
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def run(*args: str) -> int:
    return admin.main(list(args), environ=TEST_ENVIRONMENT)


def test_creates_the_clinic_and_its_first_clinician(
    tables: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*ARGS) == 0
    clinic = Clinic.get("north")
    assert (clinic.name, clinic.time_zone, clinic.default_language) == (
        "North Clinic",
        "Europe/Helsinki",
        "fi",
    )
    clinician = Clinician.get("first")
    assert clinician.clinic_id == "north"
    assert clinician.email == "Dr.First@north.example"
    assert clinician.active is True
    assert [c.clinician_id for c in Clinician.by_email.query("Dr.First@north.example")] == ["first"]
    assert "vestibule-test-clinics" in capsys.readouterr().out


def test_running_it_twice_changes_nothing_and_says_so(
    tables: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*ARGS) == 0
    again = [*ARGS[:-2], "--clinician-id", "second"]
    assert run(*again) == admin.EXIT_CONFLICT
    assert "already exists" in capsys.readouterr().err
    assert Clinician.count() == 1


def test_an_existing_clinic_id_writes_no_clinician(tables: None) -> None:
    assert run(*ARGS) == 0
    other = ["--clinician-email", "dr.other@north.example", "--clinician-id", "other"]
    assert run(*ARGS[:-6], "--clinician-name", "Dr Other", *other) == admin.EXIT_CONFLICT
    assert [c.clinician_id for c in Clinician.scan()] == ["first"]


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--time-zone", "Mars/Olympus", "--time-zone"),
        ("--language", "xx", "--language"),
        ("--clinician-email", "not-an-email", "--clinician-email"),
        ("--clinic-id", "no spaces", "--clinic-id"),
    ],
)
def test_bad_input_is_refused_by_name_before_anything_is_written(
    tables: None, capsys: pytest.CaptureFixture[str], option: str, value: str, named: str
) -> None:
    args = list(ARGS)
    args[args.index(option) + 1] = value
    assert run(*args) == admin.EXIT_BAD_INPUT
    assert named in capsys.readouterr().err
    assert Clinic.count() == 0


def test_the_first_clinician_may_get_a_mobile_number_for_sms_late_notices(
    tables: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*ARGS, "--clinician-phone", "+358 40 123 4567") == 0
    assert Clinician.get("first").phone == "+358401234567"
    assert "401234567" not in capsys.readouterr().out


def test_a_bad_clinician_phone_is_refused_by_name_without_repeating_it(
    tables: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*ARGS, "--clinician-phone", "0401234567") == admin.EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert "--clinician-phone" in error and "0401234567" not in error
    assert Clinic.count() == 0


def test_two_operators_racing_for_one_clinic_id_create_it_once(tables: None) -> None:
    requests = [
        admin.validated(
            clinic_id="north",
            name="North Clinic",
            time_zone="Europe/Helsinki",
            language="en",
            clinician_email=f"dr.{n}@north.example",
            clinician_name=f"Dr {n}",
            clinician_id=f"clinician-{n}",
        )
        for n in ("one", "two")
    ]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def create(request: admin.NewClinic) -> None:
        start.wait()
        try:
            admin.create_clinic(request, now=NOW, region=TEST_ENVIRONMENT["AWS_REGION"])
            outcomes.append("created")
        except admin.AlreadyExists:
            outcomes.append("conflict")

    threads = [threading.Thread(target=create, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "created"]
    assert Clinic.count() == 1 and Clinician.count() == 1


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto in server mode, as the local stack runs it; this process talks to it too."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    try:
        yield endpoint
    finally:
        server.stop()


def test_the_command_works_against_the_local_stacks_moto_server(moto_server: str) -> None:
    """As an operator runs it beside `make run`: its own process, stage local."""
    environment = {**TEST_ENVIRONMENT, "VESTIBULE_STAGE": "local", "AWS_ENDPOINT_URL": moto_server}
    bind_models(Settings.from_environ(environment))
    create_tables()
    args = ["local" if arg == "test" else arg for arg in ARGS]
    done = subprocess.run(
        [sys.executable, "-m", "infra.admin", *args],
        env={**environment, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "vestibule-local-clinics" in done.stdout
    assert Clinic.get("north").name == "North Clinic"
    assert Clinician.get("first").clinic_id == "north"


def test_deactivating_a_clinician_starts_the_retention_of_their_data_once(
    tables: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*ARGS) == 0
    assert run("deactivate-clinician", "--stage", "test", "--clinician-id", "first") == 0
    clinician = Clinician.get("first")
    assert clinician.active is False and clinician.expires_at is not None
    first_expiry = clinician.expires_at
    assert run("deactivate-clinician", "--stage", "test", "--clinician-id", "first") == 0
    assert Clinician.get("first").expires_at == first_expiry
    assert "already deactivated" in capsys.readouterr().out
    assert run("reactivate-clinician", "--stage", "test", "--clinician-id", "first") == 0
    clinician = Clinician.get("first")
    assert clinician.active is True and clinician.expires_at is None


def test_an_unknown_clinician_is_refused_by_name(
    tables: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("deactivate-clinician", "--stage", "test", "--clinician-id", "nobody") == 2
    assert "no clinician nobody" in capsys.readouterr().err
