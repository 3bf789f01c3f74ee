"""Uploaded files in an S3-compatible bucket (AWS S3, MinIO, Ceph, a cloud's object storage),
so every web worker on every host serves the same files (``VERBINDING_STORAGE=s3``).

Each stored name becomes the object key ``<S3_PREFIX><name>``. The bucket is only ever reached
by the app: downloads stream through it after its own permission check (no presigned link that
works for anyone who holds it). A bucket that does not answer, or refuses, raises
:class:`~engine.storage.StorageUnavailable`: nothing is kept, the visitor is told to try again.

Needs boto3 (``pip install 'verbinding[s3]'``); :func:`engine.storage_setup.storage_for` says so at
start when it is missing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from engine.storage import ByteRange, Opened, Storage, StorageUnavailable, is_stored_name

if TYPE_CHECKING:
    from engine.config import Config

log = logging.getLogger(__name__)

#: the error codes that mean "no such object" (HEAD answers a bare 404)
_MISSING = {"404", "NoSuchKey", "NotFound"}


class _BeyondEnd(Exception):
    """S3 answered 416 (``InvalidRange``): the range asked for starts past the object's end."""


def _content_range(value: str) -> tuple[tuple[int, int], int] | None:
    """S3's ``Content-Range: bytes 0-1023/4096`` as ((first, last), size); None if it is not."""
    match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", value.strip())
    if match is None:
        return None
    first, last, size = (int(group) for group in match.groups())
    return (first, last), size


def _prefix(value: str | None) -> str:
    """``verbinding`` and ``/verbinding/`` both become ``verbinding/``; nothing stays empty."""
    cleaned = (value or "").strip("/")
    return f"{cleaned}/" if cleaned else ""


class S3Storage(Storage):
    """Stored files as objects in one bucket, under an optional key prefix."""

    def __init__(self, client: Any, bucket: str, prefix: str = "", endpoint: str | None = None):
        self.client = client
        self.bucket = bucket
        self.prefix = _prefix(prefix)
        self.endpoint = endpoint

    @classmethod
    def from_config(cls, config: Config) -> S3Storage:
        settings = BotoConfig(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            # MinIO, Ceph and most other S3-compatible services want the bucket in the path
            s3={"addressing_style": "path" if config.s3_endpoint_url else "auto"},
        )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=config.s3_endpoint_url,
            region_name=config.s3_region,
            aws_access_key_id=config.s3_access_key_id,
            aws_secret_access_key=config.s3_secret_access_key,
            config=settings,
        )
        return cls(client, cast(str, config.s3_bucket), config.s3_prefix or "",
                   config.s3_endpoint_url)  # fmt: skip

    def describe(self) -> str:
        where = f" at {self.endpoint}" if self.endpoint else ""
        return f"the bucket s3://{self.bucket}/{self.prefix}{where}"

    def ping(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("checking", "the bucket", exc) from None

    def key(self, name: str) -> str:
        return self.prefix + self.check(name)

    def _failed(self, action: str, name: str, exc: Exception) -> StorageUnavailable:
        log.error("%s %s in %s failed: %s", action, name, self.describe(), exc)
        return StorageUnavailable()

    def put(self, name: str, data: bytes) -> None:
        key = self.key(name)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("storing", name, exc) from None

    def _head(self, name: str) -> dict[str, Any] | None:
        """The object's size, date and ETag without its body; None when it is gone."""
        if not is_stored_name(name):
            return None
        try:
            found = self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise self._failed("looking up", name, exc) from None
        except BotoCoreError as exc:
            raise self._failed("looking up", name, exc) from None
        return cast(dict[str, Any], found)

    def exists(self, name: str) -> bool:
        return self._head(name) is not None

    def _get(self, name: str, byte_range: ByteRange | None = None) -> dict[str, Any] | None:
        """The object (its body a stream), or None when it is gone. With ``byte_range``, S3's
        own ``Range``: only that part comes over the wire. A range that starts beyond the end
        raises :class:`_BeyondEnd`."""
        if not is_stored_name(name):
            return None
        asked = {"Range": byte_range.header()} if byte_range is not None else {}
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.key(name), **asked)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in _MISSING:
                return None
            if code == "InvalidRange" and byte_range is not None:
                raise _BeyondEnd() from None
            raise self._failed("reading", name, exc) from None
        except BotoCoreError as exc:
            raise self._failed("reading", name, exc) from None
        return cast(dict[str, Any], found)

    def read(self, name: str) -> bytes | None:
        found = self._get(name)
        if found is None:
            return None
        body = found["Body"]
        try:
            return cast(bytes, body.read())
        except (BotoCoreError, OSError) as exc:
            raise self._failed("reading", name, exc) from None
        finally:
            body.close()

    def open(self, name: str, byte_range: ByteRange | None = None) -> Opened | None:
        """The object as a stream, in one request to the bucket: with ``byte_range`` only that
        part is fetched, and S3's ``Content-Range`` tells the whole size. A range beyond the end
        costs a second, bodiless request (what the object is now, for the 416 answer)."""
        try:
            found = self._get(name, byte_range)
        except _BeyondEnd:
            return self._beyond_end(name)
        if found is None:
            return None
        size, part = int(found["ContentLength"]), None
        if byte_range is not None and found.get("ContentRange"):
            told = _content_range(str(found["ContentRange"]))
            if told is None:
                found["Body"].close()
                problem = ValueError(f"unreadable Content-Range {found['ContentRange']!r}")
                raise self._failed("reading", name, problem)
            part, size = told
        # else the bucket sent the whole object (a service that ignores Range): so be it
        return Opened(
            size=size,
            modified=found["LastModified"],
            etag=str(found.get("ETag", "")).strip('"'),
            file=cast(BinaryIO, found["Body"]),
            part=part,
        )

    def _beyond_end(self, name: str) -> Opened | None:
        found = self._head(name)
        if found is None:
            return None
        return Opened(
            size=int(found["ContentLength"]),
            modified=found["LastModified"],
            etag=str(found.get("ETag", "")).strip('"'),
            beyond_end=True,
        )

    def delete(self, name: str) -> None:
        if not is_stored_name(name):
            log.warning("not deleting %r: not a stored file name", name)
            return
        try:  # deleting a key that is not there succeeds: gone is gone
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("deleting", name, exc) from None
        log.info("deleted stored file %s from %s", name, self.describe())

    def names(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2")
        try:
            for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for found in page.get("Contents", []):
                    name = str(found["Key"])[len(self.prefix) :]
                    if is_stored_name(name):  # anything else in the bucket is not ours
                        yield name
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("listing", self.prefix or "/", exc) from None
