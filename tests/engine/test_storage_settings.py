"""Choosing where uploads are kept: a bucket that cannot be used stops the start, saying what to
set or install; the keys may come from mounted files like every secret."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.config import ConfigError, load_config
from engine.storage import LocalStorage
from engine.storage_setup import storage_for


def test_local_is_the_default(tmp_path):
    config = load_config({"VERBINDING_INSTANCE_PATH": str(tmp_path)})
    found = storage_for(config)
    assert isinstance(found, LocalStorage) and found.root == tmp_path.resolve() / "uploads"


def test_s3_without_a_bucket_stops_the_start(tmp_path):
    config = load_config({"VERBINDING_INSTANCE_PATH": str(tmp_path), "VERBINDING_STORAGE": "s3"})
    with pytest.raises(ConfigError, match="VERBINDING_STORAGE=s3 needs VERBINDING_S3_BUCKET"):
        storage_for(config)
    with pytest.raises(ConfigError, match="VERBINDING_STORAGE must be one of local, s3"):
        load_config({"VERBINDING_STORAGE": "ftp"})


def test_s3_without_boto3_stops_the_start_saying_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # as if it were not installed
    env = {"VERBINDING_INSTANCE_PATH": str(tmp_path), "VERBINDING_STORAGE": "s3",
           "VERBINDING_S3_BUCKET": "verbinding", "VERBINDING_DATABASE_URL":
           f"sqlite:///{tmp_path / 'v.db'}"}  # fmt: skip
    with pytest.raises(ConfigError, match=r"needs boto3.*pip install 'verbinding\[s3\]'"):
        storage_for(load_config(env))
    from web import create_app

    with pytest.raises(ConfigError, match="needs boto3"):
        create_app(env)
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "b.tar")], env=env)
    assert result.exit_code == 1 and "needs boto3" in result.output
    assert "Traceback" not in result.output


def test_the_keys_come_from_files_and_reach_the_bucket(tmp_path, s3_server):
    bucket = s3_server.new_bucket()
    settings = s3_server.settings(bucket, prefix="wijken")
    for name in ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
        path = tmp_path / name.lower()
        path.write_text(settings.pop(f"VERBINDING_{name}") + "\n")
        settings[f"VERBINDING_{name}_FILE"] = str(path)
    storage = storage_for(load_config(settings))
    credentials = storage.client._request_signer._credentials  # type: ignore[attr-defined]
    assert (credentials.access_key, credentials.secret_key) == (
        "verbinding-test", "verbinding-test-secret"
    )  # fmt: skip
    name = storage.save(b"notulen", "txt")
    assert s3_server.keys(bucket) == [f"wijken/{name}"]
    assert storage.describe() == f"the bucket s3://{bucket}/wijken/ at {s3_server.url}"
