"""One JSON object per log line (production): what a log shipper indexes without a parser.

Standard library only. Fields: time (UTC ISO 8601), level, logger, message, request_id, and
`exc` with the formatted traceback when there is one; anything passed in `extra=` that is JSON
serialisable is kept too.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                try:
                    json.dumps(value)
                except (TypeError, ValueError):
                    value = repr(value)
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class GunicornAccessJsonFormatter(JsonFormatter):
    """gunicorn's access lines as JSON with their parts as fields (config/gunicorn.conf.py).

    gunicorn logs each request with its atoms as the record's arguments (a mapping: `h` remote
    address, `m` method, `U` path, `s` status, `B` bytes, `M` duration in ms, `{name}o` response
    headers in lower case); the request id is the one the app answered in `X-Request-ID`.
    """

    def format(self, record: logging.LogRecord) -> str:
        atoms = record.args if isinstance(record.args, dict) else {}
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": f'{atoms.get("m", "-")} {atoms.get("U", "-")} {atoms.get("s", "-")}',
            "request_id": atoms.get("{x-request-id}o", "-"),
            "remote": atoms.get("h", "-"),
            "method": atoms.get("m", "-"),
            "path": atoms.get("U", "-"),
            "status": _int(atoms.get("s")),
            "bytes": _int(atoms.get("B")),
            "duration_ms": _int(atoms.get("M")),
        }
        return json.dumps(entry, ensure_ascii=False)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def gunicorn_logconfig(level: str = "INFO") -> dict:
    """gunicorn's own loggers (its errors and its access lines) as JSON on stderr/stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}, "access": {"()": GunicornAccessJsonFormatter}},
        "handlers": {
            "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        # gunicorn merges this over its defaults, whose root logger names a handler of theirs:
        # the root is Django's (config/settings LOGGING), configured when the app loads.
        "root": {"level": level, "handlers": []},
        "loggers": {
            "gunicorn.error": {"handlers": ["error"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
