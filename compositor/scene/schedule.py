"""When a scheduled commit lands: a commit's ``"at"`` to an absolute frame. Pure.

A commit may carry one of::

    "at": {"frame": 1234567}                       an absolute frame on the house clock
    "at": {"utc": "2026-11-21T18:00:00.000Z"}       an instant (ISO 8601, with Z or an offset)
    "at": {"in_frames": 30}                         that many frames after "now"

Frame F of a channel at ``fps`` starts at F / fps seconds after the Unix epoch. An instant maps to
the first frame that starts at or after it (``ceil(t * fps)``, exact: no float rounding), so
nothing scheduled for 18:00:00 is seen before 18:00:00. The result may lie in the past; whoever
applies the commit decides how to report it as late.

This module imports nothing of ours but the errors.
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
from fractions import Fraction
from typing import Any

from compositor.errors import SceneValidationError

__all__ = ["MAX_FRAME", "frame_at", "resolve_at"]

MAX_FRAME = 2**53
"""The largest absolute frame number accepted (exact in JSON numbers and floats)."""

_UTC = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))"
)


def frame_at(unix_seconds: Fraction, fps: Fraction) -> int:
    """The first frame that starts at or after the instant ``unix_seconds``."""
    return math.ceil(unix_seconds * fps)


def _parse_utc(value: Any, path: str) -> Fraction:
    """An ISO 8601 instant with a zone to exact seconds since the Unix epoch."""
    if not isinstance(value, str):
        raise SceneValidationError(path, "must be a string like 2026-11-21T18:00:00.000Z")
    match = _UTC.fullmatch(value.strip())
    if match is None:
        raise SceneValidationError(
            path, "must be an ISO 8601 time with a zone, like 2026-11-21T18:00:00.000Z"
        )
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        # Validates the calendar (no 31 February, hour < 24); leap seconds are not representable.
        moment = datetime.datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise SceneValidationError(path, f"is not a valid time: {exc}") from exc
    seconds = Fraction(calendar.timegm(moment.timetuple()))
    digits = match.group(7)
    if digits:
        seconds += Fraction(int(digits), 10 ** len(digits))
    if match.group(9):
        offset_h, offset_m = int(match.group(10)), int(match.group(11))
        if offset_h > 23 or offset_m > 59:
            raise SceneValidationError(path, "has an invalid zone offset")
        sign = 1 if match.group(9) == "+" else -1
        seconds -= sign * (offset_h * 3600 + offset_m * 60)
    return seconds


def _count(value: Any, path: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SceneValidationError(path, "must be a whole number of frames")
    count: int = value
    if not 0 <= count <= MAX_FRAME:
        raise SceneValidationError(path, f"must be between 0 and {MAX_FRAME}")
    return count


def resolve_at(at_json: Any, now_frame: int, fps: Fraction, path: str = "at") -> int:
    """The absolute frame a commit's ``at`` names (see the module docstring).

    ``now_frame`` is the current frame on the house clock (``floor(unix_time * fps)``); errors
    are :class:`SceneValidationError` with paths like ``at.utc``.
    """
    if not isinstance(at_json, dict) or len(at_json) != 1:
        raise SceneValidationError(
            path, 'must be an object with one of "frame", "utc" or "in_frames"'
        )
    ((key, value),) = at_json.items()
    field_path = f"{path}.{key}"
    if key == "frame":
        return _count(value, field_path)
    if key == "in_frames":
        frame = now_frame + _count(value, field_path)
    elif key == "utc":
        frame = frame_at(_parse_utc(value, field_path), fps)
    else:
        raise SceneValidationError(field_path, 'unknown field: use "frame", "utc" or "in_frames"')
    if not 0 <= frame <= MAX_FRAME:
        raise SceneValidationError(field_path, "is outside the range of the house clock")
    return frame
