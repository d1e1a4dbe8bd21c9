"""What an input is: its URL, jitter-buffer latency and loss policy, read from and written to JSON.

One place holds the rules of an input definition (``POST /api/v1/inputs``; CONTRACT v1.1
"Inputs"), used by the control plane, the store and the readers alike:

- ``id``: ``[A-Za-z0-9_-]{1,64}`` (None: the server picks one).
- ``url``: one of :data:`INPUT_SCHEMES`; ``rtmp(s)``/``rtsp``/``srt``/``http(s)`` need a host,
  ``udp``/``rtp``/``srt`` a port (``udp://@:5000`` listens on every address), ``http(s)`` a path
  ending in ``.m3u8``; at most :data:`URL_MAX_CHARS`; no spaces or control characters.
- ``latency_ms``: the jitter buffer, 0..:data:`LATENCY_MAX_MS` (default 66: about two frames at
  30 fps). A frame is shown ``latency_ms`` after the earliest it could have been.
- ``loss.hold_ms``: 1..:data:`HOLD_MAX_MS` without a frame makes the input ``lost`` (default
  500); ``loss.then``: what its layers show meanwhile, ``freeze`` (the last frame), ``black`` or
  ``transparent`` (nothing).

:func:`redact_input_url` is how a URL is ever shown: credentials dropped, the query (SRT
passphrases and stream ids, tokens) replaced by ``****``, and for RTMP the stream key (the last
of two or more path segments) replaced by ``****``, exactly as the outputs'
``compositor.output.rtmp.redact_url`` does (a test pins the two together; the control plane may
not import the output package).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from compositor.inputs.errors import InputSpecError

__all__ = [
    "DEFAULT_HOLD_MS",
    "DEFAULT_LATENCY_MS",
    "FALLBACKS",
    "HOLD_MAX_MS",
    "INPUT_SCHEMES",
    "LATENCY_MAX_MS",
    "URL_MAX_CHARS",
    "Fallback",
    "InputSpec",
    "LossPolicy",
    "input_spec_from_json",
    "input_spec_to_json",
    "redact_input_url",
]

Fallback = Literal["freeze", "black", "transparent"]
FALLBACKS: tuple[Fallback, ...] = ("freeze", "black", "transparent")
INPUT_SCHEMES = ("rtmp", "rtmps", "srt", "udp", "rtp", "rtsp", "http", "https")
DEFAULT_LATENCY_MS = 66
DEFAULT_HOLD_MS = 500
LATENCY_MAX_MS = 5000
HOLD_MAX_MS = 60_000
URL_MAX_CHARS = 2048
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_REDACTED = "****"
_NEEDS_HOST = ("rtmp", "rtmps", "rtsp", "srt", "http", "https")
_NEEDS_PORT = ("udp", "rtp", "srt")


@dataclass(frozen=True, slots=True)
class LossPolicy:
    """After ``hold_ms`` milliseconds without a frame the input is lost and shows ``then``."""

    hold_ms: int = DEFAULT_HOLD_MS
    then: Fallback = "freeze"


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One live input as kept in the store. ``url`` is the real URL (secrets included): show it
    only through :func:`redact_input_url`."""

    id: str
    url: str
    latency_ms: int = DEFAULT_LATENCY_MS
    loss: LossPolicy = field(default_factory=LossPolicy)
    created_unix: float = 0.0

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme.lower()


def redact_input_url(url: str) -> str:
    """``url`` safe to show: see the module docstring."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    path = parts.path
    if parts.scheme.lower() in ("rtmp", "rtmps"):
        segments = path.split("/")
        if len([s for s in segments if s]) >= 2:
            segments[-1] = _REDACTED
        path = "/".join(segments)
    query = _REDACTED if parts.query else ""
    return urlunsplit((parts.scheme, host, path, query, ""))


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InputSpecError("url", "must be a non-empty string")
    if len(value) > URL_MAX_CHARS:
        raise InputSpecError("url", f"longer than {URL_MAX_CHARS} characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InputSpecError("url", "must not contain spaces or control characters")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise InputSpecError("url", f"not a URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in INPUT_SCHEMES:
        shown = f"{scheme}://" if scheme else "no scheme"
        raise InputSpecError("url", f"unsupported scheme ({shown}); use one of "
                                    + ", ".join(f"{s}://" for s in INPUT_SCHEMES))
    if scheme in _NEEDS_HOST and not parts.hostname:
        raise InputSpecError("url", f"{scheme}:// needs a host")
    if scheme in _NEEDS_PORT and port is None:
        raise InputSpecError("url", f"{scheme}:// needs a port")
    if scheme in ("http", "https") and not parts.path.lower().endswith(".m3u8"):
        raise InputSpecError("url", "http(s) inputs are HLS: the path must end in .m3u8")
    return value


def _int(value: Any, path: str, low: int, high: int, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise InputSpecError(path, "must be a whole number")
    if not low <= int(value) <= high:
        raise InputSpecError(path, f"must be within {low}..{high}")
    return int(value)


def _loss(value: Any) -> LossPolicy:
    if value is None:
        return LossPolicy()
    if not isinstance(value, dict):
        raise InputSpecError("loss", "must be an object")
    unknown = sorted(set(value) - {"hold_ms", "then"})
    if unknown:
        raise InputSpecError(f"loss.{unknown[0]}", "unknown field")
    hold = _int(value.get("hold_ms"), "loss.hold_ms", 1, HOLD_MAX_MS, DEFAULT_HOLD_MS)
    then = value.get("then", "freeze")
    if then not in FALLBACKS:
        raise InputSpecError("loss.then", "must be one of " + ", ".join(FALLBACKS))
    return LossPolicy(hold_ms=hold, then=then)


def input_spec_from_json(data: Any, *, default_id: str | None = None,
                         created_unix: float = 0.0) -> InputSpec:
    """An :class:`InputSpec` from the JSON body of ``POST /api/v1/inputs`` (or a stored record).

    ``default_id`` is used when ``id`` is absent. Raises :class:`InputSpecError` with the path
    of the first wrong field; unknown fields are refused."""
    if not isinstance(data, dict):
        raise InputSpecError("", "an input must be a JSON object")
    unknown = sorted(set(data) - {"id", "url", "latency_ms", "loss", "created_unix"})
    if unknown:
        raise InputSpecError(unknown[0], "unknown field")
    input_id = data.get("id", default_id)
    if not isinstance(input_id, str) or not _ID.fullmatch(input_id):
        raise InputSpecError("id", "must match [A-Za-z0-9_-]{1,64}")
    created = data.get("created_unix", created_unix)
    return InputSpec(
        id=input_id,
        url=_url(data.get("url")),
        latency_ms=_int(data.get("latency_ms"), "latency_ms", 0, LATENCY_MAX_MS,
                        DEFAULT_LATENCY_MS),
        loss=_loss(data.get("loss")),
        created_unix=float(created) if isinstance(created, (int, float)) else created_unix,
    )


def input_spec_to_json(spec: InputSpec, *, redact: bool) -> dict[str, Any]:
    """The JSON form: with ``redact`` the URL is shown redacted (API answers), without it the
    real URL is kept (the store's record)."""
    return {
        "id": spec.id,
        "url": redact_input_url(spec.url) if redact else spec.url,
        "latency_ms": spec.latency_ms,
        "loss": {"hold_ms": spec.loss.hold_ms, "then": spec.loss.then},
        "created_unix": spec.created_unix,
    }
