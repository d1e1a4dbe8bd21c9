"""Structured logging: text or JSON lines, request ids, secrets redacted.

- :func:`configure_logging` installs one handler on the root logger (stderr) writing either
  ``text`` or ``json`` (one object per line: ``ts``, ``level``, ``logger``, ``msg``,
  ``request_id`` and any ``extra=`` fields). Called once by the service; the library never
  configures logging on import.
- :class:`RequestIdMiddleware` gives every HTTP request and WebSocket an id (the client's
  ``X-Request-ID`` when it is sane, else a new one), echoes it in the response, keeps it in a
  context variable for log records and writes one access line per request.
- :class:`Redactor` removes secrets from every record: the API token, ``token=`` query
  parameters, ``Authorization`` values and RTMP stream keys (the last path segment of an
  ``rtmp://``/``rtmps://`` URL).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterable
from typing import Any, TextIO

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "REQUEST_ID",
    "JsonFormatter",
    "Redactor",
    "RequestIdMiddleware",
    "TextFormatter",
    "configure_logging",
    "redact",
]

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "compositor_request_id", default=None
)

_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_STREAM_KEY = re.compile(r"(rtmps?://[^\s\"']*/)([^\s\"'/?]+)")
_TOKEN_PARAM = re.compile(r"((?:^|[?&\s])(?:token|key|secret)=)[^&\s\"']+", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)[^\s\"']+", re.IGNORECASE)
REDACTED = "<redacted>"

# Standard record attributes, and uvicorn's terminal-colour duplicate of its message.
_RESERVED = frozenset(vars(logging.makeLogRecord({})).keys()) | {
    "message", "asctime", "color_message"}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with secrets, bearer tokens, token parameters and stream keys replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _BEARER.sub(r"\1" + REDACTED, text)
    text = _TOKEN_PARAM.sub(r"\1" + REDACTED, text)
    return _STREAM_KEY.sub(r"\1" + REDACTED, text)


class Redactor(logging.Filter):
    """A handler filter that rewrites each record's message with :func:`redact`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        for key, value in list(vars(record).items()):
            if key not in _RESERVED and isinstance(value, str):
                setattr(record, key, redact(value, self.secrets))
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info),
                                     self.secrets)
        return True


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; ``extra=`` fields become members."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(record.created, 6),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                out[key] = value if isinstance(value, str | int | float | bool | None) \
                    else repr(value)
        if record.exc_info:
            out["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(out, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message key=value...``"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{k}={v}" for k, v in vars(record).items()
                  if k not in _RESERVED and k != "request_id" and not k.startswith("_")]
        request_id = getattr(record, "request_id", None)
        prefix = f"[{request_id}] " if request_id else ""
        head, _, tail = line.partition("\n")
        text = f"{head.replace(record.getMessage(), prefix + record.getMessage(), 1)}"
        if extras:
            text += " " + " ".join(extras)
        return text + ("\n" + tail if tail else "")


def configure_logging(
    level: str = "info", fmt: str = "text", *, secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Install the one root handler (replacing earlier ones of ours); returns it."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name("compositor")
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_RequestIdFilter())
    handler.addFilter(Redactor(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() == "compositor":
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn's own loggers propagate to ours; its access log is replaced by RequestIdMiddleware.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    return handler


class RequestIdMiddleware:
    """ASGI middleware: request id in, ``X-Request-ID`` out, one access log line per request."""

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        # The access log: a child of this module's logger, so it can be silenced on its own.
        self.log = logger or logging.getLogger(f"{__name__}.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        presented = Headers(scope=scope).get("x-request-id")
        request_id = presented if presented and _SAFE_REQUEST_ID.fullmatch(presented) \
            else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        token = REQUEST_ID.set(request_id)
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                status = int(message["status"])
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            elif message["type"] == "websocket.accept":
                status = 101
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.log.info(
                "%s %s %s", scope.get("method", "WS"), scope.get("path", ""), status,
                extra={"status": status,
                       "duration_ms": round((time.perf_counter() - started) * 1000, 3)},
            )
            REQUEST_ID.reset(token)
