"""Structured logs on request: one JSON object per line, with secrets scrubbed.

``grace serve --log-json`` (or ``GRACE_LOG_JSON=1``) switches the root logger to this
format so a log shipper can parse every line. grace never logs secrets on purpose; the
scrubbing here is the second line of defence for what a library or an exception message
might carry (a bearer token, a ``password=`` pair, a session cookie), and extra fields
whose names look secret are dropped whole. Request logs (``grace.web.observe``) carry the
route template, never the path, so referral and user ids stay out of the log.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any

ENV_JSON = "GRACE_LOG_JSON"
REDACTED = "[redacted]"
_SECRET_PAIR = re.compile(
    r"(?i)\b(password|passwd|secret|token|api[_-]?key|authorization|cookie|grace_session|"
    r"csrf_token)(\"?\s*[=:]\s*\"?)(bearer\s+)?[^\s\"',;&]+"
)
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+")
_SECRET_KEY = re.compile(r"(?i)password|passwd|secret|token|api[_-]?key|authorization|cookie")
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def scrub(text: str) -> str:
    """``text`` with bearer tokens and ``name=value`` secrets replaced by ``[redacted]``."""
    text = _BEARER.sub(f"Bearer {REDACTED}", text)
    return _SECRET_PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line: time, level, logger, message and ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD or key.startswith("_") or _SECRET_KEY.search(key):
                continue
            entry[key] = scrub(value) if isinstance(value, str) else _plain(value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def _plain(value: Any) -> Any:
    """JSON scalars as they are; anything else as scrubbed text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(str(value))


def json_logs_requested(flag: bool = False) -> bool:
    """True when ``--log-json`` was given or ``GRACE_LOG_JSON`` is 1/true/yes."""
    return flag or os.environ.get(ENV_JSON, "").strip().lower() in {"1", "true", "yes"}


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send every logger's records to stderr as JSON lines (replacing other root handlers)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.captureWarnings(True)


def uvicorn_logging(json_logs: bool) -> dict[str, object]:
    """Keyword arguments for ``uvicorn.run``: with JSON logs, uvicorn installs no handlers
    of its own (its records reach the JSON root handler) and writes no access log, whose
    lines carry raw paths, query strings and client addresses (``grace.http`` logs each
    request by route template instead)."""
    return {"log_config": None, "access_log": False} if json_logs else {}
