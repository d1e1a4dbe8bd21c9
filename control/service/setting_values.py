"""The parsers of setting values, one per kind of value: each returns the value or raises
:class:`SettingsError` naming the flag and what it wants (the environment variable's value is
parsed by the same function as the flag's)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from compositor.errors import SceneValidationError
from compositor.scene.codec import parse_fps

__all__ = ["SettingsError", "choice", "parse_age", "parse_bitrate", "parse_frame_rate",
           "parse_int", "parse_seconds", "parse_size"]


class SettingsError(ValueError):
    """A flag or environment variable has a bad value; the message names it."""


def parse_frame_rate(text: str) -> Fraction:
    """``--fps`` text as an exact rate: ``60``, ``29.97`` (= 30000/1001), ``30000/1001``; 1..120.

    The one parser of the flag; :class:`SettingsError` names the flag and the bad value.
    """
    stripped = text.strip()
    try:
        return parse_fps(stripped if "/" in stripped else float(stripped))
    except (ValueError, SceneValidationError) as exc:
        raise SettingsError(
            f"--fps: {text!r} is not a frame rate from 1 to 120 like 60, 29.97 or 30000/1001"
        ) from exc


def parse_bitrate(text: str) -> int:
    """``--bitrate`` text (``6000k`` / ``6M`` / ``6000000``) in bits per second, 100k..200M."""
    lowered = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(lowered[-1:], 1)
    digits = lowered[:-1] if scale != 1 else lowered
    try:
        value = int(float(digits) * scale)
    except ValueError as exc:
        raise SettingsError(f"--bitrate: {text!r} is not a bitrate like 6000k") from exc
    if not 100_000 <= value <= 200_000_000:
        raise SettingsError("--bitrate: must be between 100k and 200M")
    return value


def parse_size(name: str, text: str) -> int:
    """A size in bytes: ``4096``, ``512K``, ``64M``, ``4G`` (powers of 1024)."""
    lowered = text.strip().lower().removesuffix("b")
    scale = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}.get(lowered[-1:], 1)
    digits = lowered[:-1] if scale != 1 else lowered
    try:
        value = int(float(digits) * scale)
    except ValueError:
        value = 0
    if value < 1:
        raise SettingsError(f"--{name.replace('_', '-')}: {text!r} is not a size like 64M or 4G")
    return value


def parse_age(text: str, flag: str = "--journal-max-age") -> float:
    """An age (``--journal-max-age``, ``--clip-release-after``): seconds, or a number with s,
    m, h or d; positive."""
    scale = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(text.strip()[-1:].lower(), 0)
    try:
        value = float(text.strip()[:-1] if scale else text) * (scale or 1)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise SettingsError(f"{flag}: {text!r} is not an age like 3600, 90m or 7d")
    return value


def parse_int(name: str, text: str, lo: int, hi: int) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise SettingsError(f"--{name.replace('_', '-')}: {text!r} is not an integer") from exc
    if not lo <= value <= hi:
        raise SettingsError(f"--{name.replace('_', '-')}: must be between {lo} and {hi}")
    return value


def parse_seconds(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 1.0 <= value <= 1e7:  # also refuses NaN
        raise SettingsError(f"--{name.replace('_', '-')}: {text!r} is not a number of seconds "
                            "from 1 to 10000000")
    return value


def choice(name: str, value: object, choices: Sequence[str]) -> str:
    """A setting that is one of ``choices`` (any case), or a SettingsError naming its flag."""
    text = str(value).lower()
    if text not in choices:
        flag = "--" + name.replace("_", "-")
        raise SettingsError(f"{flag}: must be one of {', '.join(choices)}")
    return text
