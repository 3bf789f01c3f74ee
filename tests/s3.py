"""A real S3 server on loopback for the tests: moto's server mode (``ThreadedMotoServer``), in a
thread of the test process, spoken to over HTTP by boto3 exactly as a bucket elsewhere would be."""

from __future__ import annotations

import uuid

from engine.config import load_config
from engine.storage import Storage
from engine.storage_s3 import S3Storage
from engine.storage_setup import storage_for

REGION = "eu-west-1"


class S3Server:
    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.url = ""

    def start(self) -> S3Server:
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        # one client for every test's bucket: made as the app makes its own (a client costs
        # a second or so to make; a bucket almost nothing)
        self.client = storage_for(load_config(self.settings("verbinding-any"))).client  # type: ignore[attr-defined]
        return self

    def stop(self) -> None:
        self.server.stop()

    def settings(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The ``VERBINDING_*`` settings of a site whose files are in ``bucket``."""
        return {
            "VERBINDING_STORAGE": "s3",
            "VERBINDING_S3_BUCKET": bucket,
            "VERBINDING_S3_ENDPOINT_URL": self.url,
            "VERBINDING_S3_REGION": REGION,
            "VERBINDING_S3_PREFIX": prefix,
            "VERBINDING_S3_ACCESS_KEY_ID": "verbinding-test",
            "VERBINDING_S3_SECRET_ACCESS_KEY": "verbinding-test-secret",
        }

    def new_bucket(self) -> str:
        """An empty bucket of its own (one per test: nothing leaks between tests)."""
        name = f"verbinding-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        return name

    def storage(self, bucket: str, prefix: str = "") -> Storage:
        return S3Storage(self.client, bucket, prefix, self.url)

    def keys(self, bucket: str) -> list[str]:
        """Every key in the bucket, as S3 lists it."""
        found = self.client.list_objects_v2(Bucket=bucket)
        return [o["Key"] for o in found.get("Contents", [])]
