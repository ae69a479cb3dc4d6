"""The service's log: one JSON object per line (or plain text for a terminal), at a set level.

Every record of the process goes through here, uvicorn's included, so that a log collector
reads one shape. A record written while a request is answered carries its request id
(``request_id``), the 500's traceback among them; the request line itself
(service.api.telemetry) adds its fields as ``extra``. Importing this module makes every log
record carry the id of the request in whose context it was made.
"""

from __future__ import annotations

import contextvars
import logging
import time
from typing import Any

import orjson

__all__ = ["REQUEST_ID", "JsonFormatter", "logging_config"]

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
"""The id of the request being answered in this context (task or its worker thread)."""

# The attributes every LogRecord has; anything else on a record was given as ``extra``.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)
_make_record = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Every record carries the request id of the context it was made in (a handler may
    format it later, elsewhere)."""
    record = _make_record(*args, **kwargs)
    request_id = REQUEST_ID.get()
    if request_id is not None:
        record.request_id = request_id
    return record


logging.setLogRecordFactory(_record_with_request_id)


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, the request id, extras,
    and the traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key[0] != "_" and key != "color_message":
                entry[key] = value
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        line = super().format(record)
        return f"{line} [{request_id}]" if request_id else line


def logging_config(*, level: str, fmt: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the process: uvicorn's loggers and the service's
    alike, to stderr. uvicorn's access log is left off: the service writes its own line."""
    formatter = (
        {"()": JsonFormatter}
        if fmt == "json"
        else {"()": _TextFormatter, "format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "service": {"handlers": ["default"], "level": level.upper(), "propagate": False},
        },
    }
