"""Calendar feeds' bodies kept by ETag in the process, so a poll of an unchanged feed is not
built again.

Calendar clients (Google, Outlook, Apple) poll a feed every few minutes or hours, and most send
no ``If-None-Match``: without a copy every poll read up to 1,200 entries and wrote them out as
iCalendar text again (a district coach's feed: most of a second of CPU at city scale). The ETag
(:func:`engine.reminders.calendar.feed_validators`) already says when the body would be the same
— the same test a calendar's 304 relies on — so a body made once is served again while the ETag
holds. Each web process keeps its own copies, newest use first, at most :data:`LIMIT_BYTES` in
all; a copy is kept only once its body was sent whole.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator

from flask import Flask

#: the bytes of feed bodies one web process keeps (a district coach's feed: ~0.5 MB)
LIMIT_BYTES = 16 * 1024 * 1024
EXTENSION = "verbinding.feed_cache"


class FeedCache:
    """Bodies by key (a feed's token and ETag, the site's address), least recently used dropped
    first."""

    def __init__(self, limit: int = LIMIT_BYTES) -> None:
        self.limit = limit
        self._bodies: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: tuple[str, ...], body: bytes) -> None:
        if len(body) > self.limit:
            return
        with self._lock:
            old = self._bodies.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._bodies[key] = body
            self._size += len(body)
            while self._size > self.limit:
                _, dropped = self._bodies.popitem(last=False)
                self._size -= len(dropped)

    def keeping(self, key: tuple[str, ...], chunks: Iterable[bytes]) -> Iterator[bytes]:
        """``chunks`` passed on as they come; kept under ``key`` once the last one is sent."""
        sent: list[bytes] = []
        for chunk in chunks:
            sent.append(chunk)
            yield chunk
        self.put(key, b"".join(sent))

    def __len__(self) -> int:
        return len(self._bodies)

    @property
    def size(self) -> int:
        return self._size


def feed_cache(app: Flask) -> FeedCache:
    """The app's copies (per app, so two apps in one process, as in the tests, never share)."""
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions.setdefault(EXTENSION, FeedCache())
    return cache
