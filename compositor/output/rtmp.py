"""RTMP and RTMPS outputs (flv over the network) with stream keys redacted.

The writer thread reconnects with capped exponential backoff whenever the connection fails or
stalls, while the pipeline keeps rendering and encoding; the output resumes at the next keyframe.
The flv muxer runs in a child process (:mod:`compositor.output.isolated`): a server that accepts
and never answers cannot freeze this one.
A URL is only ever logged or reported through :func:`redact_url`.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit

from compositor.errors import OutputError
from compositor.metrics import PipelineMetrics
from compositor.output.base import Backoff, Output, VideoParams
from compositor.output.isolated import IsolatedSink

__all__ = ["RTMP_SCHEMES", "is_rtmp_url", "redact_url", "rtmp_output"]

RTMP_SCHEMES = ("rtmp", "rtmps")
_REDACTED = "****"
# Seconds a connect may take before it counts as failed.
_OPEN_TIMEOUT_S = 5.0


def is_rtmp_url(target: str) -> bool:
    return urlsplit(target).scheme.lower() in RTMP_SCHEMES


def redact_url(url: str) -> str:
    """``rtmp://host/app/KEY?x=y`` -> ``rtmp://host/app/****``; credentials are dropped too.

    The stream key is the last path segment (``app/KEY``); with a single segment only the
    application is named and nothing is secret. A query string may carry tokens: it goes.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    segments = parts.path.split("/")
    if len([s for s in segments if s]) >= 2:
        segments[-1] = _REDACTED
    query = _REDACTED if parts.query else ""
    return urlunsplit((parts.scheme, host, "/".join(segments), query, ""))


def _probe(url: str, name: str) -> None:
    """Fail fast when nothing listens: FFmpeg connects only when the first packet is written,
    which would leave a dead server undetected until then."""
    parts = urlsplit(url)
    default_port = 443 if parts.scheme.lower() == "rtmps" else 1935
    try:
        with socket.create_connection((parts.hostname or "", parts.port or default_port),
                                      timeout=_OPEN_TIMEOUT_S):
            pass
    except OSError as exc:
        raise OutputError(f"{name}: cannot connect: {exc.strerror or exc}") from exc


def rtmp_output(
    url: str,
    video: VideoParams,
    metrics: PipelineMetrics,
    *,
    audio: bool = True,
    backoff: Backoff | None = None,
    queue_packets: int = 240,
    lossless: bool = False,
    stall_s: float = 5.0,
) -> Output:
    """An :class:`Output` publishing flv to ``url`` (rtmp:// or rtmps://), reconnecting.

    A connection that takes no packet for ``stall_s`` seconds counts as failed."""
    name = redact_url(url)

    def open_sink() -> IsolatedSink:
        _probe(url, name)
        return IsolatedSink(
            url, "flv", video, audio=audio, name=name,
            options={"flvflags": "no_duration_filesize"},
            timeout_s=_OPEN_TIMEOUT_S, stall_s=stall_s,
        )

    return Output(name, open_sink, metrics, reconnect=True, backoff=backoff,
                  queue_packets=queue_packets, lossless=lossless)
