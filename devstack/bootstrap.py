"""Prepares moto once it is up: the tables, the SES sender, the attachments bucket, and the
demo clinic.

`python -m devstack.bootstrap` runs with the app's environment (`devstack.environment`).
Every step is idempotent: run it twice and nothing changes the second time. Tables come
from the PynamoDB models through `chalicelib.store.tables`, never from a hand-written schema.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

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
    if settings.attachments_bucket:
        prepare_attachments_bucket(
            boto3.client("s3", region_name=settings.region),
            settings.attachments_bucket,
            origin=settings.public_base_url or "*",
            retention_days=settings.retention_days,
        )
        logger.info("attachments bucket %s ready", settings.attachments_bucket)
    seeded = seed_demo(datetime.now(UTC))
    logger.info("demo clinic and clinicians %s", "seeded" if seeded else "already there")
    return 0


def prepare_attachments_bucket(s3: Any, bucket: str, *, origin: str, retention_days: int) -> None:
    """The bucket as `infra/components/files.py` makes it: versioned, CORS for POST and GET
    from the web's origin only, objects expiring `retention_days` after they are written
    (moto keeps the rule; `devstack.retention` applies it)."""
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(
            Bucket=bucket,
            CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name},
        )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedMethods": ["POST", "GET"],
                    "AllowedOrigins": [origin],
                    "AllowedHeaders": ["*"],
                    "MaxAgeSeconds": 3000,
                }
            ]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "retention",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "Expiration": {"Days": retention_days},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )


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
