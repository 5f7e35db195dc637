"""JSON logs: one parseable object per record, secrets scrubbed from messages and fields."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from grace.logs import JsonFormatter, json_logs_requested, scrub


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord("grace.test", logging.WARNING, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


def test_a_record_is_one_line_of_json_with_its_extra_fields() -> None:
    line = JsonFormatter().format(record("two\nlines %s", "here", route="/x/{id}", status=404))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "two\nlines here" and entry["level"] == "warning"
    assert entry["route"] == "/x/{id}" and entry["status"] == 404
    assert entry["logger"] == "grace.test" and entry["ts"].endswith("+00:00")


@pytest.mark.parametrize(
    "leak",
    [
        "Authorization: Bearer grace_s3cr3tT0ken-value",
        "login failed with password=hunter2-correct",
        'settings {"api_key": "abc123def"}',
        "cookie grace_session=Zm9vYmFyYmF6",
    ],
)
def test_secrets_are_scrubbed_from_messages(leak: str) -> None:
    secret = {"B": "grace_s3cr3tT0ken-value", "l": "hunter2-correct", "s": "abc123def"}.get(
        leak[0], "Zm9vYmFyYmF6"
    )
    line = JsonFormatter().format(record("request: %s", leak))
    assert secret not in line and "[redacted]" in line


def test_secret_looking_fields_and_tracebacks_are_kept_out() -> None:
    try:
        raise ValueError("token=abcdef123456 rejected")
    except ValueError:
        entry = record("failed", password="hunter2", user_token="abc", count=3)
        entry.exc_info = sys.exc_info()
    parsed = json.loads(JsonFormatter().format(entry))
    assert "password" not in parsed and "user_token" not in parsed and parsed["count"] == 3
    assert "abcdef123456" not in parsed["exception"] and "ValueError" in parsed["exception"]


def test_scrub_leaves_ordinary_text_alone() -> None:
    text = "ingested 12 referrals from /data/inbox in 3.2 s"
    assert scrub(text) == text


def test_environment_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRACE_LOG_JSON", raising=False)
    assert not json_logs_requested() and json_logs_requested(True)
    monkeypatch.setenv("GRACE_LOG_JSON", "1")
    assert json_logs_requested()
