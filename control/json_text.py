"""JSON text from clients (HTTP bodies and WebSocket messages): parsed once, the same way.

Two things ``json.loads`` lets through would otherwise become 500s deeper down:

- integers of any length (a 5000-digit one raises ``ValueError`` inside the parser): a number
  literal of more than :data:`MAX_INT_DIGITS` digits is read as infinity instead, which the codec
  refuses with the path of the field ("must be a finite number", "must be an integer");
- lone surrogates (``"\\ud800"``), which are not Unicode and cannot be written back as UTF-8 (to
  the journal, to a response): refused with the path of the string or key that holds one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from compositor.errors import SceneValidationError
from control.errors import BadRequestError

__all__ = ["MAX_INT_DIGITS", "check_unicode", "parse_json"]

MAX_INT_DIGITS = 40  # far past any integer the API takes (versions and frames are < 2**53)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _int(text: str) -> int | float:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else float("inf")


def parse_json(text: str | bytes, what: str = "the body", *, unicode: bool = True) -> Any:
    """The JSON value of ``text`` (UTF-8 when bytes). :class:`BadRequestError` (400) when it is
    not JSON; :class:`SceneValidationError` (422) naming the path of a lone surrogate (unless
    ``unicode`` is False: then call :func:`check_unicode` after reading what you need)."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")  # strict: json.loads would let encoded surrogates pass
        value = json.loads(text, parse_int=_int)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BadRequestError(f"{what} is not valid JSON: {exc}") from None
    if unicode:
        check_unicode(value, text)
    return value


def check_unicode(value: Any, text: str) -> None:
    """Refuse a lone surrogate in ``value`` (parsed from ``text``) with its path."""
    if _SURROGATE_ESCAPE.search(text):  # only escapes make surrogates: check what they made
        _check_unicode(value, "")


def _check_unicode(value: Any, path: str) -> None:
    if isinstance(value, str):
        if not value.isascii() and _has_lone_surrogate(value):
            raise SceneValidationError(path, "is not valid Unicode: it holds a lone surrogate")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_unicode(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            safe = key.encode("utf-8", "backslashreplace").decode("utf-8")
            child = f"{path}.{safe}" if path else safe
            if safe != key:
                raise SceneValidationError(child, "is not valid Unicode: the key holds a lone "
                                                  "surrogate")
            _check_unicode(item, child)


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
