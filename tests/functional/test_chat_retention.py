"""Retention: once a consultation's data expires, its chat and its files are gone.

In AWS, DynamoDB's TTL deletes items after `expires_at` and the attachments bucket's
lifecycle rule deletes objects `retention_days` after they were written (the infra sets
both from the same `retention_days`). moto enforces neither, so `devstack.retention`
(run by the local stack's sweeper) does what AWS would: it deletes items whose
`expires_at` has passed and objects past the bucket's own lifecycle rule. The test runs it
at a chosen `now`, a day before and a day after the consultation's expiry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import requests
from chalice import Chalice

from chalicelib.auth.principals import Principal
from chalicelib.chat.members import member_of
from chalicelib.store.models import Consultation, ConsultationItem, FileUpload
from chalicelib.wiring import services
from devstack import retention
from devstack.bootstrap import prepare_attachments_bucket
from tests.support import builders
from tests.support import sample_files as files
from tests.support.clinic_api import seed_clinics

BUCKET = "vestibule-test-attachments"


@pytest.fixture
def s3(app: Chalice) -> Iterator[object]:
    client = boto3.client("s3", region_name="eu-west-1")
    prepare_attachments_bucket(client, BUCKET, origin="http://127.0.0.1:8000", retention_days=30)
    yield client


def objects(s3: object) -> list[str]:
    listing = s3.list_object_versions(Bucket=BUCKET)  # type: ignore[attr-defined]
    return [v["Key"] for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def test_an_expired_consultation_leaves_no_chat_item_and_no_object(s3: object) -> None:
    seed_clinics()
    # Written now (moto stamps objects with the real time), so the consultation is today.
    starts_at = datetime.now(UTC).replace(microsecond=0)
    consultation = builders.consultation("v1", clinic_id="k1", starts_at=starts_at)
    consultation.clinician_ids = ["c1"]
    consultation.expires_at = starts_at + timedelta(minutes=20) + timedelta(days=30)
    consultation.save()
    participant = builders.participant("v1", "p1")
    participant.expires_at = consultation.expires_at
    participant.save()
    patient = member_of(
        Principal(kind="participant", id="p1", clinic_id="k1", consultation_id="v1"), None
    )
    services().chat.send(patient, client_id="c-1", text="ma photo", sender="conn-1")
    grant = services().attachments.request_upload(
        patient, file_name="rash.jpg", content_type="image/jpeg"
    )
    posted = requests.post(
        grant.post.url,
        data=grant.post.fields,
        files={"file": ("rash.jpg", files.jpeg(), "image/jpeg")},
        timeout=30,
    )
    assert posted.ok
    services().attachments.complete(patient, grant.upload.file_id)
    partition = ConsultationItem.partition("v1")
    kinds = sorted(type(item).__name__ for item in ConsultationItem.query(partition))
    assert kinds == [
        "ChatMessage",
        "ChatMessage",
        "ChatSendReceipt",
        "Consultation",
        "FileUpload",
        "Participant",
    ]
    expires_at = Consultation.get(partition, "CONSULTATION").expires_at
    assert expires_at is not None
    assert all(item.expires_at == expires_at for item in ConsultationItem.query(partition))

    day_before = retention.expire(expires_at - timedelta(days=1), s3=s3, bucket=BUCKET)
    assert day_before.objects == 0
    assert objects(s3) == [f"consultations/v1/{grant.upload.file_id}"]
    assert len(list(ConsultationItem.query(partition))) == 6

    day_after = retention.expire(expires_at + timedelta(days=1), s3=s3, bucket=BUCKET)
    assert day_after.objects == 1
    assert list(ConsultationItem.query(partition)) == []
    assert objects(s3) == []
    with pytest.raises(FileUpload.DoesNotExist):
        FileUpload.get(partition, FileUpload.sort_key(grant.upload.file_id))


def test_the_lifecycle_counts_days_to_the_next_midnight_utc() -> None:
    written = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    assert retention.lifecycle_expiry(written, 30) == datetime(2026, 12, 25, tzinfo=UTC)
    midnight = datetime(2026, 11, 24, tzinfo=UTC)
    assert retention.lifecycle_expiry(midnight, 30) == datetime(2026, 12, 24, tzinfo=UTC)
