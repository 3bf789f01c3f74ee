"""Parts of a stored file (HTTP ranges): a bucket sends only the bytes asked for, a local folder
hands out the whole file for Werkzeug to cut."""

from __future__ import annotations

import pytest

from engine.storage import ByteRange, LocalStorage

DATA = bytes(range(256)) * 40  # 10240 bytes, each position recognisable modulo 256


def _read_all(opened) -> bytes:
    try:
        return opened.file.read()
    finally:
        opened.file.close()


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [
        (ByteRange(0, 9), 0, 9),
        (ByteRange(-5), len(DATA) - 5, len(DATA) - 1),
        (ByteRange(10), 10, len(DATA) - 1),
        (ByteRange(1000, 99999), 1000, len(DATA) - 1),
        (ByteRange(-99999), 0, len(DATA) - 1),
    ],
)
def test_a_part_is_fetched_alone_and_knows_the_whole_size(storage, asked, first, last):
    name = storage.save(DATA, "bin")
    assert asked.within(len(DATA)) == (first, last)
    opened = storage.open(name, asked)
    whole = storage.open(name)
    assert opened.size == len(DATA) and opened.etag == whole.etag and not opened.beyond_end
    if whole.file is not None:
        whole.file.close()
    if isinstance(storage, LocalStorage):  # the whole file: send_file cuts it
        assert opened.part is None and opened.path.read_bytes() == DATA
        return
    assert opened.part == (first, last) and opened.length == last - first + 1
    body = _read_all(opened)  # only the part came from the bucket
    assert body == DATA[first : last + 1] and len(body) == opened.length


def test_a_range_beyond_the_end_says_so_with_the_size(storage):
    name = storage.save(DATA, "bin")
    assert ByteRange(len(DATA)).within(len(DATA)) is None
    opened = storage.open(name, ByteRange(len(DATA)))
    assert opened.size == len(DATA)
    if isinstance(storage, LocalStorage):
        assert opened.path is not None and not opened.beyond_end
        return
    assert opened.beyond_end and opened.file is None and opened.length == 0
    assert opened.etag == storage.open(name).etag


def test_a_missing_file_is_none_with_or_without_a_range(storage):
    assert storage.open("ab/" + "0" * 32 + ".bin", ByteRange(0, 9)) is None
    assert storage.open("ab/" + "0" * 32 + ".bin", ByteRange(10**9)) is None


def test_a_whole_file_has_no_part(storage):
    name = storage.save(DATA, "bin")
    opened = storage.open(name)
    assert opened.part is None and opened.length == len(DATA)
    if opened.file is not None:
        assert _read_all(opened) == DATA


def test_byte_ranges_as_http_writes_them():
    assert ByteRange(0, 1023).header() == "bytes=0-1023"
    assert ByteRange(10).header() == "bytes=10-"
    assert ByteRange(-500).header() == "bytes=-500"
    assert ByteRange(-500).within(100) == (0, 99) and ByteRange(-1).within(0) is None
    assert ByteRange(5, 5).within(6) == (5, 5) and ByteRange(6, 9).within(6) is None
    with pytest.raises(ValueError):
        ByteRange(-5, 10)
    with pytest.raises(ValueError):
        ByteRange(10, 9)


def test_a_bucket_is_asked_once_with_its_own_range(s3_server, monkeypatch):
    storage = s3_server.storage(s3_server.new_bucket())
    name = storage.save(DATA, "bin")
    asked: list[tuple[str, dict]] = []
    client = storage.client
    for method in ("get_object", "head_object"):
        real = getattr(client, method)

        def spy(*args, _real=real, _method=method, **kwargs):
            asked.append((_method, kwargs))
            return _real(*args, **kwargs)

        monkeypatch.setattr(client, method, spy)
    opened = storage.open(name, ByteRange(100, 1123))
    assert [(m, kw.get("Range")) for m, kw in asked] == [("get_object", "bytes=100-1123")]
    assert len(_read_all(opened)) == 1024
    asked.clear()
    assert storage.open(name, ByteRange(len(DATA) + 1)).beyond_end  # 416, then what it is now
    assert [m for m, _ in asked] == ["get_object", "head_object"]
