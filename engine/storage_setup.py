"""The storage a process keeps its uploads in, as its configuration says (engine.storage)."""

from __future__ import annotations

from engine.config import Config, ConfigError
from engine.storage import LocalStorage, Storage

STORAGE_KINDS = ("local", "s3")


def storage_for(config: Config) -> Storage:
    """The storage the configuration names; an S3 bucket without its settings, or without
    boto3 installed, is refused here, when the process starts."""
    if config.storage == "local":
        return LocalStorage(config.upload_dir)
    if not config.s3_bucket:
        raise ConfigError("VERBINDING_STORAGE=s3 needs VERBINDING_S3_BUCKET: the bucket's name")
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise ConfigError(
            "VERBINDING_STORAGE=s3 needs boto3, which is not installed: install "
            "`verbinding[s3]` (pip install 'verbinding[s3]'), or set VERBINDING_STORAGE=local"
        ) from None
    from engine.storage_s3 import S3Storage

    return S3Storage.from_config(config)
