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

import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from control.request_ids import REQUEST_ID

__all__ = [
    "REQUEST_ID",
    "JsonFormatter",
    "Redactor",
    "TextFormatter",
    "configure_logging",
    "redact",
]

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
