"""Input definitions: every rule of a field with its path, and URL redaction (pinned to the
outputs' redaction for RTMP, the one rule for stream keys)."""

from __future__ import annotations

import pytest

from compositor.inputs import (
    InputSpec,
    InputSpecError,
    LossPolicy,
    input_spec_from_json,
    input_spec_to_json,
    redact_input_url,
)
from compositor.output.rtmp import redact_url


def test_defaults_and_round_trip() -> None:
    spec = input_spec_from_json({"url": "rtmp://host/live/key"}, default_id="cam-1")
    assert spec == InputSpec(id="cam-1", url="rtmp://host/live/key", latency_ms=66,
                             loss=LossPolicy(hold_ms=500, then="freeze"))
    stored = input_spec_to_json(spec, redact=False)
    assert input_spec_from_json(stored) == spec
    shown = input_spec_to_json(spec, redact=True)
    assert shown["url"] == "rtmp://host/live/****"


@pytest.mark.parametrize("url", [
    "rtmp://h/live/k", "rtmps://h:443/app/k", "srt://h:9000?streamid=x", "udp://@:5000",
    "udp://239.0.0.1:5000", "rtp://127.0.0.1:5004", "rtsp://user:pw@cam.local/stream1",
    "https://cdn.example/live/index.m3u8?token=abc", "http://10.0.0.1:8080/a/b.M3U8",
])
def test_accepted_urls(url: str) -> None:
    assert input_spec_from_json({"id": "a", "url": url}).url == url


@pytest.mark.parametrize(("body", "path", "words"), [
    ({"id": "a", "url": "file:///etc/passwd"}, "url", "unsupported scheme"),
    ({"id": "a", "url": "ftp://h/x"}, "url", "unsupported scheme"),
    ({"id": "a", "url": "no-scheme"}, "url", "unsupported scheme"),
    ({"id": "a", "url": ""}, "url", "non-empty"),
    ({"id": "a", "url": 5}, "url", "non-empty"),
    ({"id": "a", "url": "rtmp:///live/k"}, "url", "needs a host"),
    ({"id": "a", "url": "udp://127.0.0.1"}, "url", "needs a port"),
    ({"id": "a", "url": "srt://h"}, "url", "needs a port"),
    ({"id": "a", "url": "https://h/video.mp4"}, "url", ".m3u8"),
    ({"id": "a", "url": "rtmp://h/live/a b"}, "url", "spaces"),
    ({"id": "a", "url": "rtmp://h:99999/x"}, "url", "not a URL"),
    ({"id": "a", "url": "rtmp://h/" + "k" * 3000}, "url", "longer than"),
    ({"id": "bad id", "url": "rtmp://h/l/k"}, "id", "[A-Za-z0-9_-]"),
    ({"url": "rtmp://h/l/k"}, "id", "[A-Za-z0-9_-]"),
    ({"id": "a", "url": "rtmp://h/l/k", "latency_ms": -1}, "latency_ms", "0..5000"),
    ({"id": "a", "url": "rtmp://h/l/k", "latency_ms": 5001}, "latency_ms", "0..5000"),
    ({"id": "a", "url": "rtmp://h/l/k", "latency_ms": 1.5}, "latency_ms", "whole number"),
    ({"id": "a", "url": "rtmp://h/l/k", "latency_ms": True}, "latency_ms", "whole number"),
    ({"id": "a", "url": "rtmp://h/l/k", "loss": []}, "loss", "object"),
    ({"id": "a", "url": "rtmp://h/l/k", "loss": {"hold_ms": 0}}, "loss.hold_ms", "1..60000"),
    ({"id": "a", "url": "rtmp://h/l/k", "loss": {"then": "blue"}}, "loss.then", "freeze"),
    ({"id": "a", "url": "rtmp://h/l/k", "loss": {"x": 1}}, "loss.x", "unknown"),
    ({"id": "a", "url": "rtmp://h/l/k", "colour": 1}, "colour", "unknown"),
    ([], "", "object"),
])
def test_refused_with_the_path(body: object, path: str, words: str) -> None:
    with pytest.raises(InputSpecError) as caught:
        input_spec_from_json(body)
    assert caught.value.path == path
    assert words in caught.value.reason


@pytest.mark.parametrize("url", [
    "rtmp://h/live/secret", "rtmp://user:pw@h:1935/live/secret?auth=1", "rtmps://h/app",
    "rtmp://h/app/sub/key",
])
def test_rtmp_redaction_is_the_outputs(url: str) -> None:
    assert redact_input_url(url) == redact_url(url)


@pytest.mark.parametrize(("url", "shown"), [
    ("srt://h:9000?streamid=live/key&passphrase=p4ssw0rd12", "srt://h:9000?****"),
    ("rtsp://admin:hunter2@cam.local:554/stream1", "rtsp://cam.local:554/stream1"),
    ("https://cdn.example/live/index.m3u8?token=abc", "https://cdn.example/live/index.m3u8?****"),
    ("udp://@:5000", "udp://:5000"),
    ("udp://[::1]:5000", "udp://[::1]:5000"),
])
def test_secrets_never_shown(url: str, shown: str) -> None:
    assert redact_input_url(url) == shown
