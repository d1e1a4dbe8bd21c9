"""Structured logs: JSON lines, request ids, secrets never written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from control.service.logs import REQUEST_ID, configure_logging, redact


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = configure_logging("info", "json", secrets=("tok-123",), stream=out)
    yield out
    logging.getLogger().removeHandler(handler)


def test_json_lines_with_request_id_and_extras(stream: io.StringIO) -> None:
    token = REQUEST_ID.set("req-1")
    try:
        logging.getLogger("t").info("hello %s", "world", extra={"status": 201})
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["msg"] == "hello world" and line["level"] == "info" and line["logger"] == "t"
    assert line["request_id"] == "req-1" and line["status"] == 201


def test_secrets_and_stream_keys_are_redacted(stream: io.StringIO) -> None:
    log = logging.getLogger("t")
    log.warning("token %s in header Bearer abc.def", "tok-123")
    log.warning("publishing to rtmp://a.example/live/sk_live_XYZ?x=1 and ws?token=qq&since=2")
    log.warning("extra", extra={"url": "rtmps://h:443/app/KEY123"})
    text = stream.getvalue()
    for secret in ("tok-123", "abc.def", "sk_live_XYZ", "token=qq", "KEY123"):
        assert secret not in text, secret
    assert "rtmp://a.example/live/<redacted>" in text


def test_redact_keeps_ordinary_text() -> None:
    assert redact("GET /api/v1/scene 200") == "GET /api/v1/scene 200"
    assert redact("rtmp://h/live/key", ()) == "rtmp://h/live/<redacted>"


def test_text_format(stream: io.StringIO) -> None:
    out = io.StringIO()
    handler = configure_logging("info", "text", stream=out)
    try:
        logging.getLogger("t").info("plain")
    finally:
        logging.getLogger().removeHandler(handler)
    assert out.getvalue().rstrip().endswith("INFO t plain")
