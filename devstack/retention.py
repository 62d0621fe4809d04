"""What AWS deletes by itself and moto never does: items past their TTL, objects past the
attachments bucket's lifecycle rule.

DynamoDB deletes an item some time (up to days) after its TTL attribute (`expires_at`)
has passed; S3 deletes an object when the bucket's lifecycle rule says so: `Days` after it
was written, counted to the next midnight UTC. moto stores both settings and enforces
neither, so the local stack's sweeper calls `expire(now)` after each run of the app's own
sweep, and a test calls it with a later `now` to show what a consultation leaves behind
once its retention is over (nothing). The rule applied is the one read from the bucket,
which `devstack.bootstrap` sets exactly as `infra/components/files.py` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from pynamodb.models import Model

from chalicelib.store.models import TABLE_MODELS

#: AWS takes minutes to days; scanning every table each second (the tests' sweeper) is waste.
EVERY = timedelta(minutes=1)


class Schedule:
    """`expire` at most once a minute, however often the sweeper runs."""

    def __init__(self, *, s3: Any, bucket: str | None) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._last: datetime | None = None

    def run(self, now: datetime) -> Expired | None:
        if self._last is not None and now - self._last < EVERY:
            return None
        self._last = now
        return expire(now, s3=self._s3, bucket=self._bucket)


@dataclass(frozen=True)
class Expired:
    items: int
    objects: int


def expire(now: datetime, *, s3: Any, bucket: str | None) -> Expired:
    objects = expire_objects(now, s3=s3, bucket=bucket) if bucket else 0
    return Expired(items=expire_items(now), objects=objects)


def expire_items(now: datetime) -> int:
    """Delete every item whose TTL attribute is at or before `now`, in every table."""
    deleted = 0
    for model in TABLE_MODELS:
        ttl = _ttl_name(model)
        if ttl is None:
            continue
        attribute = getattr(model, ttl)
        for item in model.scan(attribute <= now):
            item.delete()
            deleted += 1
    return deleted


def expire_objects(now: datetime, *, s3: Any, bucket: str) -> int:
    """Delete every version of each object whose lifecycle expiry is at or before `now`."""
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except s3.exceptions.ClientError:
        return 0
    deleted = 0
    for rule in rules:
        days = rule.get("Expiration", {}).get("Days")
        if rule.get("Status") != "Enabled" or days is None:
            continue
        prefix = rule.get("Filter", {}).get("Prefix", rule.get("Prefix", ""))
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
            for version in page.get("Versions", []):
                if version["IsLatest"] and lifecycle_expiry(version["LastModified"], days) <= now:
                    deleted += _delete_every_version(s3, bucket, version["Key"])
    return deleted


def lifecycle_expiry(written: datetime, days: int) -> datetime:
    """S3's rule: `days` after the object was written, rounded up to the next midnight UTC."""
    moment = written.astimezone(UTC) + timedelta(days=days)
    midnight = datetime.combine(moment.date(), time(), tzinfo=UTC)
    return midnight if midnight == moment else midnight + timedelta(days=1)


def _delete_every_version(s3: Any, bucket: str, key: str) -> int:
    listing = s3.list_object_versions(Bucket=bucket, Prefix=key)
    entries = [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
    for entry in entries:
        if entry["Key"] == key:
            s3.delete_object(Bucket=bucket, Key=key, VersionId=entry["VersionId"])
    return 1


def _ttl_name(model: type[Model]) -> str | None:
    attribute = model._ttl_attribute()  # type: ignore[no-untyped-call]
    return None if attribute is None else str(attribute.attr_name)
