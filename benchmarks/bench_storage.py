"""What keeping uploads in an S3 bucket costs next to a local folder (issue 16).

    python benchmarks/bench_storage.py [--files 20] [--rounds 5]

The same storage operations (save, read, delete; engine.storage) on a local folder and on a
bucket of moto's S3 server on loopback (the server the tests use, in a thread of this
process), for a small file (100 KB, a scanned letter) and a large one (5 MB, a phone photo).
Rounds interleave the two kinds; median and spread of the time per operation, and the ratio
bucket / folder. Loopback leaves out the network a real bucket is behind: add its round trip.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.storage import LocalStorage, Storage  # noqa: E402
from tests.s3 import S3Server  # noqa: E402

SIZES = {"100 KB": 100 * 1024, "5 MB": 5 * 1024 * 1024}


def one_round(storage: Storage, data: bytes, files: int) -> dict[str, float]:
    """Seconds per save, read and delete of ``files`` files of ``data``."""
    took = {}
    started = time.perf_counter()
    names = [storage.save(data, "bin") for _ in range(files)]
    took["save"] = (time.perf_counter() - started) / files
    started = time.perf_counter()
    for name in names:
        assert storage.read(name) == data
    took["read"] = (time.perf_counter() - started) / files
    started = time.perf_counter()
    for name in names:
        storage.delete(name)
    took["delete"] = (time.perf_counter() - started) / files
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = S3Server().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            kinds: dict[str, Storage] = {
                "folder": LocalStorage(Path(tmp) / "uploads"),
                "bucket": server.storage(server.new_bucket(), prefix="bench/"),
            }
            print(f"load average {os.getloadavg()[0]:.1f}; {args.files} files x "
                  f"{args.rounds} rounds")  # fmt: skip
            print("| file | operation | folder ms | bucket ms | spread (bucket) | ratio |")
            print("|---|---|---|---|---|---|")
            for label, size in SIZES.items():
                data = os.urandom(size)
                seen: dict[str, dict[str, list[float]]] = {k: {} for k in kinds}
                for _ in range(args.rounds):
                    for kind, storage in kinds.items():  # interleaved
                        for op, seconds in one_round(storage, data, args.files).items():
                            seen[kind].setdefault(op, []).append(seconds)
                for op in ("save", "read", "delete"):
                    folder = statistics.median(seen["folder"][op])
                    bucket = statistics.median(seen["bucket"][op])
                    spread = (max(seen["bucket"][op]) - min(seen["bucket"][op])) / bucket
                    print(f"| {label} | {op} | {folder * 1000:.2f} | {bucket * 1000:.2f} | "
                          f"{spread:.0%} | {bucket / folder:.1f}x |")  # fmt: skip
    finally:
        server.stop()


if __name__ == "__main__":
    main()
