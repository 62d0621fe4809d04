"""The attachments bucket (S3), through a boto3 client that `wiring` builds.

Browsers upload with a presigned POST whose policy S3 enforces (size range, exact
Content-Type, exact key, a short expiry) and download with a presigned GET that makes the
browser save the file (`Content-Disposition: attachment`). The app itself only reads an
object's size and bytes to check it, and deletes refused ones, every version of them (the
bucket is versioned: a plain delete would leave the bytes behind a delete marker).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class StoredObject:
    size: int
    version_id: str | None
    etag: str


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


class AttachmentStore:
    def __init__(self, client: Any, *, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def presigned_post(
        self, key: str, *, content_type: str, max_bytes: int, expires_seconds: int
    ) -> PresignedPost:
        post = self._client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                ["content-length-range", 1, max_bytes],
                {"Content-Type": content_type},
            ],
            ExpiresIn=expires_seconds,
        )
        return PresignedPost(url=post["url"], fields=dict(post["fields"]))

    def find(self, key: str) -> StoredObject | None:
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=key)
        except self._client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        version = head.get("VersionId")
        return StoredObject(
            size=int(head["ContentLength"]),
            version_id=None if version in (None, "null") else version,
            etag=str(head["ETag"]),
        )

    def read(self, key: str, stored: StoredObject, *, max_bytes: int) -> bytes:
        """The bytes of exactly that version, at most `max_bytes` of them (a range GET)."""
        answer = self._client.get_object(
            Bucket=self.bucket,
            Key=key,
            Range=f"bytes=0-{max_bytes - 1}",
            **_pinned(stored.version_id, stored.etag),
        )
        body: bytes = answer["Body"].read()
        return body

    def delete(self, key: str) -> None:
        """Delete the object and every version of it."""
        versions = self._client.list_object_versions(Bucket=self.bucket, Prefix=key)
        entries = [*versions.get("Versions", []), *versions.get("DeleteMarkers", [])]
        targets = [
            {"Key": entry["Key"], "VersionId": entry["VersionId"]}
            for entry in entries
            if entry["Key"] == key and entry.get("VersionId") not in (None, "null")
        ]
        for target in targets:
            self._client.delete_object(Bucket=self.bucket, **target)
        if not targets:  # an unversioned bucket
            self._client.delete_object(Bucket=self.bucket, Key=key)

    def presigned_get(
        self,
        key: str,
        *,
        version_id: str | None,
        file_name: str,
        content_type: str,
        expires_seconds: int,
    ) -> str:
        """A GET of the checked version only: a later upload to the same key is never served
        (the bucket is versioned; unversioned, as in some tests, the key's current bytes)."""
        url: str = self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": content_disposition(file_name),
                "ResponseContentType": content_type,
                **({"VersionId": version_id} if version_id else {}),
            },
            ExpiresIn=expires_seconds,
        )
        return url


def content_disposition(file_name: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name (RFC 6266 / 8187)."""
    fallback = (
        "".join(
            c if c.isascii() and (c.isalnum() or c in " ._-()") else "_" for c in file_name
        ).strip()
        or "file"
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def _pinned(version_id: str | None, etag: str | None) -> dict[str, str]:
    if version_id is not None:
        return {"VersionId": version_id}
    return {"IfMatch": etag} if etag else {}
