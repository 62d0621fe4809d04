"""Prepares moto once it is up: the tables, the SES sender, and the demo clinic.

`python -m devstack.bootstrap` runs with the app's environment (`devstack.environment`).
Every step is idempotent: run it twice and nothing changes the second time. Tables come
from the PynamoDB models through `chalicelib.store.tables`, never from a hand-written schema.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import boto3
from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.config import Settings
from chalicelib.store.models import Clinic, Clinician
from chalicelib.store.tables import bind_models, create_tables
from devstack import demo, logs
from devstack.environment import sender_email

logger = logging.getLogger("devstack.bootstrap")


def main() -> int:
    logs.configure()
    settings = Settings.from_environ()
    bind_models(settings)
    created = create_tables()
    logger.info("tables ready (%d created, prefix %s)", len(created), settings.table_prefix)
    boto3.client("ses", region_name=settings.region).verify_email_identity(
        EmailAddress=sender_email()
    )
    logger.info("SES sender identity verified")
    seeded = seed_demo(datetime.now(UTC))
    logger.info("demo clinic and clinicians %s", "seeded" if seeded else "already there")
    return 0


def seed_demo(now: datetime) -> bool:
    """Create the demo clinic and clinicians unless they exist; True if anything was new."""
    clinic = Clinic(
        clinic_id=demo.CLINIC_ID,
        name=demo.CLINIC_NAME,
        time_zone=demo.CLINIC_TIME_ZONE,
        default_language=demo.CLINIC_LANGUAGE,
        created_at=now,
    )
    clinicians = [
        Clinician(
            clinician_id=clinician_id,
            clinic_id=demo.CLINIC_ID,
            email=email,
            display_name=name,
            created_at=now,
        )
        for clinician_id, email, name in (
            (demo.CLINICIAN_ID, demo.CLINICIAN_EMAIL, demo.CLINICIAN_NAME),
            (demo.COLLEAGUE_ID, demo.COLLEAGUE_EMAIL, demo.COLLEAGUE_NAME),
        )
    ]
    results = [
        _save_new(clinic, Clinic.clinic_id.does_not_exist()),
        *(_save_new(c, Clinician.clinician_id.does_not_exist()) for c in clinicians),
    ]
    return any(results)


def _save_new(item: Model, absent: Condition) -> bool:
    """Save `item` unless an item with its key exists; True if it was saved."""
    try:
        item.save(condition=absent)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
