"""Log lines as text or as JSON objects (``VERBINDING_LOG_FORMAT``), each with the request id.

The engine logs with the standard library only; the web app puts the id of the request it is
serving in :data:`REQUEST_ID`, and every line logged while it is set carries it (the access
line, a transition, a mail queued). Extra fields given as ``log.info(..., extra={...})``
become fields of the JSON object.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

#: the id of the request being served (None outside a request: the scheduler, the CLI)
REQUEST_ID: ContextVar[str | None] = ContextVar("verbinding_request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: a record's own attributes; whatever else it has came in through ``extra``
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}


def _stamp_request_id() -> None:
    """Every record gets the request id when it is made (whatever handler formats it later,
    in whatever thread); installed once, on import."""
    make = logging.getLogRecordFactory()
    if getattr(make, "_verbinding", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    factory._verbinding = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


_stamp_request_id()


class RequestIdFilter(logging.Filter):
    """Give every record the current request id (or None)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request id
    when there is one, the record's extra fields, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            line["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_logging(log_format: str = "text", level: str = "WARNING") -> bool:
    """Send the root logger's lines to stderr in ``log_format`` (text or json) from ``level``
    on; replaces the handler a previous call set. Like ``logging.basicConfig`` it leaves a
    logger that someone else set up (a test runner, a WSGI host) alone: False then."""
    root = logging.getLogger()
    if any(not getattr(h, "_verbinding", False) for h in root.handlers):
        return False
    handler = logging.StreamHandler(sys.stderr)
    json_lines = log_format == "json"
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    for old in list(root.handlers):
        root.removeHandler(old)
    handler._verbinding = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return True
