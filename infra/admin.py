"""Operator commands against a deployed stage or the local stack: the first clinic, and
deactivating or reactivating a clinician's account.

    python -m infra.admin create-clinic --stage prod --clinic-id north \\
        --name "North Clinic" --time-zone Europe/Helsinki --language fi \\
        --clinician-email dr.first@north.example --clinician-name "Dr First" \\
        [--clinician-phone +358401234567]

It uses the app's own PynamoDB models and table binding (`chalicelib.store`) and the
stage's settings (`chalicelib.config`): AWS credentials and region from the usual
environment (`AWS_PROFILE`, `AWS_REGION`), and for the local stack `--stage local` with
`AWS_ENDPOINT_URL` pointing at its moto (as `make run` prints). The clinic and its first
clinician are written in one transaction, each only if its id is new; an email that
already signs in elsewhere is refused. The clinician then signs in with a magic link sent
to that address.

    python -m infra.admin deactivate-clinician --stage prod --clinician-id first
    python -m infra.admin reactivate-clinician --stage prod --clinician-id first

Deactivating ends the clinician's access at once (every session and sign-in link is
checked against the account where it is resumed) and starts the retention period of their
personal data (`chalicelib.clinics.staff`); reactivating before it ends keeps the account.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.clinics.staff import INTERNATIONAL_ONLY, ClinicianAccounts
from chalicelib.clock import SystemClock
from chalicelib.config import STAGES, Settings
from chalicelib.errors import ConfigError, InvalidField, NotFound
from chalicelib.i18n import catalogue
from chalicelib.messaging.contact_points import normalise_email, normalise_phone
from chalicelib.store.models import Clinic, Clinician
from chalicelib.store.tables import bind_models

EXIT_BAD_INPUT = 2
EXIT_CONFLICT = 1


class AdminError(Exception):
    """The command cannot do what was asked; the message says why."""

    exit_code = EXIT_BAD_INPUT


class AlreadyExists(AdminError):
    exit_code = EXIT_CONFLICT


@dataclass(frozen=True, kw_only=True)
class NewClinic:
    clinic_id: str
    name: str
    time_zone: str
    language: str
    clinician_id: str
    clinician_email: str
    clinician_name: str
    clinician_phone: str | None = None


def validated(
    *,
    clinic_id: str,
    name: str,
    time_zone: str,
    language: str,
    clinician_email: str,
    clinician_name: str,
    clinician_id: str | None = None,
    clinician_phone: str | None = None,
) -> NewClinic:
    """The request with each value checked; `AdminError` names the first bad one."""
    if not clinic_id.strip() or not all(c.isalnum() or c in "-_" for c in clinic_id):
        raise AdminError("--clinic-id must be letters, digits, - or _")
    if not name.strip():
        raise AdminError("--name must not be empty")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AdminError(f"--time-zone {time_zone!r} is not an IANA time zone") from None
    languages = catalogue.available_languages()
    if language not in languages:
        raise AdminError(f"--language must be one of {', '.join(languages)}")
    try:
        email = normalise_email(clinician_email)
    except InvalidField as error:
        raise AdminError(f"--clinician-email: {error}") from None
    if not clinician_name.strip():
        raise AdminError("--clinician-name must not be empty")
    try:
        phone = normalise_phone(clinician_phone, INTERNATIONAL_ONLY) if clinician_phone else None
    except InvalidField as error:
        raise AdminError(f"--clinician-phone: {error}") from None
    return NewClinic(
        clinic_id=clinic_id,
        name=name.strip(),
        time_zone=time_zone,
        language=language,
        clinician_id=clinician_id or f"clinician-{uuid.uuid4().hex[:12]}",
        clinician_email=email,
        clinician_name=clinician_name.strip(),
        clinician_phone=phone,
    )


def create_clinic(request: NewClinic, *, now: datetime, region: str) -> None:
    """Write the clinic and its first clinician together, or neither."""
    if any(True for _ in Clinician.by_email.query(request.clinician_email, limit=1)):
        raise AlreadyExists("a clinician with that email already exists")
    clinic = Clinic(
        clinic_id=request.clinic_id,
        name=request.name,
        time_zone=request.time_zone,
        default_language=request.language,
        created_at=now,
    )
    clinician = Clinician(
        clinician_id=request.clinician_id,
        clinic_id=request.clinic_id,
        email=request.clinician_email,
        display_name=request.clinician_name,
        language=request.language,
        phone=request.clinician_phone,
        created_at=now,
    )
    try:
        with TransactWrite(connection=Connection(region=region)) as transaction:
            transaction.save(clinic, condition=Clinic.clinic_id.does_not_exist())
            transaction.save(clinician, condition=Clinician.clinician_id.does_not_exist())
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise AlreadyExists(
                f"clinic {request.clinic_id!r} or clinician {request.clinician_id!r} already exists"
            ) from None
        raise


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m infra.admin", description=__doc__.split("\n")[0])
    commands = root.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-clinic", help="a clinic and its first clinician")
    create.add_argument("--stage", required=True, choices=STAGES)
    create.add_argument("--clinic-id", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--time-zone", required=True)
    create.add_argument("--language", default="en")
    create.add_argument("--clinician-email", required=True)
    create.add_argument("--clinician-name", required=True)
    create.add_argument("--clinician-id", help="default: a new random id")
    create.add_argument(
        "--clinician-phone", help="a mobile number with its country code, for SMS late notices"
    )
    for command, help_text in ACCOUNT_COMMANDS.items():
        account = commands.add_parser(command, help=help_text)
        account.add_argument("--stage", required=True, choices=STAGES)
        account.add_argument("--clinician-id", required=True)
    return root


ACCOUNT_COMMANDS = {
    "deactivate-clinician": "end a clinician's access; their data expires after retention",
    "reactivate-clinician": "give a deactivated clinician access again",
}


def change_account(command: str, clinician_id: str, settings: Settings) -> str:
    """Deactivate or reactivate; what happened, in one line for the operator."""
    accounts = ClinicianAccounts(
        clock=SystemClock(), retention=timedelta(days=settings.retention_days)
    )
    try:
        if command == "deactivate-clinician":
            expires_at = accounts.deactivate(clinician_id)
            if expires_at is None:
                return f"clinician {clinician_id} was already deactivated: nothing changed"
            return (
                f"deactivated clinician {clinician_id}; their data is deleted after "
                f"{expires_at:%Y-%m-%d}"
            )
        if accounts.reactivate(clinician_id):
            return f"reactivated clinician {clinician_id}"
        return f"clinician {clinician_id} was already active: nothing changed"
    except NotFound:
        raise AdminError(f"no clinician {clinician_id} in this stage") from None


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = parser().parse_args(argv)
    environment = dict(os.environ if environ is None else environ)
    environment["VESTIBULE_STAGE"] = args.stage
    try:
        settings = Settings.from_environ(environment)
        if args.command in ACCOUNT_COMMANDS:
            bind_models(settings)
            print(change_account(args.command, args.clinician_id, settings))
            return 0
        request = validated(
            clinic_id=args.clinic_id,
            name=args.name,
            time_zone=args.time_zone,
            language=args.language,
            clinician_email=args.clinician_email,
            clinician_name=args.clinician_name,
            clinician_id=args.clinician_id,
            clinician_phone=args.clinician_phone,
        )
        bind_models(settings)
        create_clinic(request, now=datetime.now(UTC), region=settings.region)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except AdminError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    print(
        f"created clinic {request.clinic_id} in {settings.table_prefix}clinics and clinician "
        f"{request.clinician_id}; they sign in at "
        f"{settings.public_base_url or '<the stage URL>'}/clinic/sign-in.html"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
