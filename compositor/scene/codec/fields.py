"""The codec's building blocks: limits, the table of bounded numbers, and the JSON readers.

Each reader checks one JSON value and returns it as a Python value, or raises
:class:`SceneValidationError` with the value's path and a reason a person understands. Colours are
``#RRGGBB`` or ``#RRGGBBAA``; frame rates integers, decimals (29.97) or ``"30000/1001"``.
The rest of the codec (``layer``, ``animation`` and the package) builds on these.
:func:`number_fields` is the one table of every bounded number of a layer: the decoder and the
animatable ranges (``property_range``) come from it; the defaults come from the model's own
classes. This module imports nothing of ours but the scene
model and the errors.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from msgspec import NODEFAULT
from msgspec.structs import fields as struct_fields

from compositor.errors import SceneValidationError
from compositor.scene import Color, Crop, Layer, TextContent, Transform, VideoContent

__all__ = [
    "CLIP_NUMBERS",
    "COLOR_PATTERN",
    "CROP_FIELDS",
    "CROP_FIELD_SET",
    "DEFAULT_LIMITS",
    "ID_PATTERN",
    "TEXT_FIELDS",
    "TEXT_NUMBERS",
    "TRANSFORM_FIELDS",
    "IdFactory",
    "Json",
    "Limits",
    "NumberSpec",
    "color_or_none",
    "number_fields",
    "format_color",
    "format_fps",
    "join_path",
    "parse_color",
    "parse_fps",
    "read_boolean",
    "read_choice",
    "read_identifier",
    "read_integer",
    "read_list",
    "read_number",
    "read_numbers",
    "read_object",
    "read_optional_number",
    "read_string",
    "type_name",
]

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
COLOR_PATTERN = re.compile(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})")
_FPS_PATTERN = re.compile(r"([0-9]{1,6})/([0-9]{1,6})")

Json = Any  # decoded JSON: dict / list / str / int / float / bool / None
IdFactory = Callable[[], str]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep one request from hurting the renderer. Defaults match CONTRACT.md."""

    max_layers: int = 256
    max_text_chars: int = 4096
    max_name_chars: int = 256
    min_size_px: float = 1.0
    max_size_px: float = 1024.0
    max_canvas_width: int = 7680
    max_canvas_height: int = 4320
    max_coordinate_px: float = 1_000_000.0
    max_box_px: float = 65_536.0
    max_scale: float = 1000.0
    max_z: int = 1_000_000
    max_animations: int = 64  # keyframe animations per layer
    max_keyframes: int = 1024  # per animation
    max_tweens: int = 64  # runtime tweens per layer (running or waiting for their delay)
    max_duration_frames: int = 10_000_000  # durations, delays and keyframe frames: ~46 h at 60 fps
    max_frame: int = 2**53  # absolute frame numbers (house clock); exact in JSON and in floats
    max_text_raster_px: int = 8192  # the widest/tallest text block the renderer rasterises
    max_clip_s: float = 4 * 3600.0  # clip trims (in_s, out_s): seconds of media time
    max_scene_bytes: int = 16 * 1024 * 1024  # the scene's JSON (stores refuse a commit past it)


DEFAULT_LIMITS = Limits()

NumberSpec = tuple[tuple[str, float | None, float, float], ...]
"""(JSON key, default, lo, hi) per number; a None default means optional (null allowed)."""


def _defaults(cls: type[Any], attributes: tuple[str, ...]) -> list[float | None]:
    """The model's defaults of those attributes of ``cls`` (the model owns the defaults)."""
    found = {f.name: f.default for f in struct_fields(cls)}
    assert all(found[name] is not NODEFAULT for name in attributes), attributes
    return [found[name] for name in attributes]


def _bounded(cls: type[Any], fields: tuple[tuple[str, str, float, float], ...]) -> NumberSpec:
    """(key, attribute, lo, hi) rows with the attribute's default from the model."""
    defaults = _defaults(cls, tuple(attribute for _, attribute, _, _ in fields))
    return tuple((key, d, lo, hi) for (key, _, lo, hi), d in zip(fields, defaults, strict=True))


@functools.lru_cache(maxsize=16)
def _number_fields(limits: Limits) -> Mapping[str, NumberSpec]:
    coord, box, scale = limits.max_coordinate_px, limits.max_box_px, limits.max_scale
    return {
        "transform": _bounded(Transform, (  # in the model's field order (positional build)
            ("x", "x_px", -coord, coord),
            ("y", "y_px", -coord, coord),
            ("width", "width_px", 0.0, box),
            ("height", "height_px", 0.0, box),
            ("anchor_x", "anchor_x", 0.0, 1.0),
            ("anchor_y", "anchor_y", 0.0, 1.0),
            ("scale_x", "scale_x", -scale, scale),
            ("scale_y", "scale_y", -scale, scale),
            ("rotation_deg", "rotation_deg", -coord, coord),
        )),
        "crop": _bounded(Crop, tuple((side, side, 0.0, 1.0) for side in CROP_FIELDS)),
        "content": _bounded(TextContent, (  # text layers
            ("size_px", "size_px", limits.min_size_px, limits.max_size_px),
            ("max_width_px", "max_width_px", 1.0, float(limits.max_text_raster_px)),
        )) + _bounded(VideoContent, (  # video and audio layers (AudioContent: the same defaults)
            ("volume", "volume", 0.0, 2.0),
            ("in_s", "in_s", 0.0, limits.max_clip_s),
            ("out_s", "out_s", 0.0, limits.max_clip_s),  # and > in_s (the decoder's rule)
        )),
        "": _bounded(Layer, (("opacity", "opacity", 0.0, 1.0),)),  # the layer's own
    }


def number_fields(limits: Limits) -> Mapping[str, NumberSpec]:
    """Every bounded number of a layer under ``limits``, by the JSON object that holds it
    (``transform``, ``crop``, ``content``, ``""`` for the layer itself): the one place that knows
    each number's bounds. ``content`` holds the numbers of every kind's content: a text layer's
    (:data:`TEXT_NUMBERS`) and a video or audio layer's (:data:`CLIP_NUMBERS`)."""
    return _DEFAULT_NUMBERS if limits is DEFAULT_LIMITS else _number_fields(limits)


CROP_FIELDS = ("left", "top", "right", "bottom")
CROP_FIELD_SET = frozenset(CROP_FIELDS)
_DEFAULT_NUMBERS = _number_fields(DEFAULT_LIMITS)  # hashing Limits per call costs: skip it
TRANSFORM_FIELDS = frozenset(key for key, _, _, _ in _DEFAULT_NUMBERS["transform"])
TEXT_FIELDS = frozenset({"text", "font", "size_px", "color", "align", "max_width_px"})
TEXT_NUMBERS = ("size_px", "max_width_px")
"""The keys of ``number_fields(...)["content"]`` that text layers have, in the table's order."""
CLIP_NUMBERS = ("volume", "in_s", "out_s")
"""The keys of ``number_fields(...)["content"]`` that video and audio layers have."""


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --- primitive readers ---------------------------------------------------------------------------


def read_object(value: Json, path: str, allowed: frozenset[str]) -> Mapping[str, Json]:
    if not isinstance(value, dict):
        raise SceneValidationError(path, f"must be an object, got {type_name(value)}")
    if not allowed.issuperset(value):
        key = next(key for key in value if key not in allowed)
        near = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.6)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise SceneValidationError(join_path(path, str(key)), f"unknown field{hint}")
    return value


def type_name(value: Json) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}.get(
        type(value), "object" if isinstance(value, dict) else type(value).__name__
    )


def read_number(value: Json, path: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SceneValidationError(path, f"must be a number, got {type_name(value)}")
    try:
        number = float(value)
    except OverflowError:  # json.loads makes ints of any size; 10**400 has no float
        raise SceneValidationError(path, "must be a finite number") from None
    if not math.isfinite(number):
        raise SceneValidationError(path, "must be a finite number")
    if not lo <= number <= hi:
        raise SceneValidationError(path, f"must be between {_fmt(lo)} and {_fmt(hi)}")
    return number


def _fmt(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def read_numbers(
    obj: Mapping[str, Json], path: str, spec: NumberSpec, under: str = ""
) -> list[float | None]:
    """The numbers of ``spec`` in ``obj`` (an object already checked for unknown keys, found at
    ``path`` + ``under``), in spec order; the first bad one raises. A plain in-range float is
    taken as is (the common case, no path built); anything else goes through
    :func:`read_number`, which converts or names it."""
    numbers: list[float | None] = []
    for key, default, lo, hi in spec:
        value = obj.get(key, default)
        if type(value) is float and lo <= value <= hi:
            numbers.append(value)
        elif value is None and default is None:
            numbers.append(None)
        else:
            where = join_path(join_path(path, under) if under else path, key)
            numbers.append(read_number(value, where, lo, hi))
    return numbers


def read_optional_number(value: Json, path: str, lo: float, hi: float) -> float | None:
    return None if value is None else read_number(value, path, lo, hi)


def read_integer(value: Json, path: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        else:
            raise SceneValidationError(path, f"must be an integer, got {type_name(value)}")
    number = int(value)
    if not lo <= number <= hi:
        raise SceneValidationError(path, f"must be between {lo} and {hi}")
    return number


def read_string(value: Json, path: str, max_chars: int) -> str:
    if not isinstance(value, str):
        raise SceneValidationError(path, f"must be a string, got {type_name(value)}")
    if len(value) > max_chars:
        raise SceneValidationError(path, f"must be at most {max_chars} characters")
    return value


def read_choice(value: Json, path: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise SceneValidationError(path, f"must be one of {', '.join(choices)}")
    return value


def read_identifier(value: Json, path: str, what: str = "an id") -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise SceneValidationError(
            path, f"must be {what}: 1 to 64 letters, digits, '-' or '_'"
        )
    return value


def read_boolean(value: Json, path: str) -> bool:
    if not isinstance(value, bool):
        raise SceneValidationError(path, f"must be true or false, got {type_name(value)}")
    return value


def read_list(value: Json, path: str, max_items: int, min_items: int = 0) -> list[Json]:
    if not isinstance(value, list):
        raise SceneValidationError(path, f"must be an array, got {type_name(value)}")
    if len(value) > max_items:
        raise SceneValidationError(path, f"must have at most {max_items} items")
    if len(value) < min_items:
        raise SceneValidationError(path, f"must have at least {min_items} item")
    return value


# --- colours and rates ---------------------------------------------------------------------------


def color_or_none(value: Json) -> Color | None:
    """The colour ``value`` spells, or None where :func:`parse_color` would refuse it."""
    # A valid colour has at most 9 characters; only such strings reach the cache.
    return _color(value) if type(value) is str and len(value) <= 9 else None


def parse_color(value: Json, path: str = "") -> Color:
    """``#RRGGBB`` or ``#RRGGBBAA`` (sRGB, straight alpha) to a :class:`Color`."""
    color = color_or_none(value)
    if color is None:
        raise SceneValidationError(path, "must be a colour like #RRGGBB or #RRGGBBAA")
    return color


@functools.lru_cache(maxsize=1024)
def _color(text: str) -> Color | None:
    """The colour a string spells, None if none; scenes repeat their colours."""
    if not COLOR_PATTERN.fullmatch(text):
        return None
    rgba = int(text[1:], 16) if len(text) == 9 else int(text[1:], 16) << 8 | 0xFF
    return Color(rgba >> 24, rgba >> 16 & 0xFF, rgba >> 8 & 0xFF, rgba & 0xFF)


def format_color(color: Color) -> str:
    return f"#{color.r:02X}{color.g:02X}{color.b:02X}{color.a:02X}"


def parse_fps(value: Json, path: str = "fps") -> Fraction:
    """A frame rate: an integer, a number such as 29.97, or ``"30000/1001"``; 1 to 120."""
    if isinstance(value, str):
        match = _FPS_PATTERN.fullmatch(value)
        if match is None or int(match.group(2)) == 0:
            raise SceneValidationError(path, "must be a number or a fraction like 30000/1001")
        fps = Fraction(int(match.group(1)), int(match.group(2)))
    else:
        fps = _rate(read_number(value, path, 1.0, 120.0))
    if not 1 <= fps <= 120:
        raise SceneValidationError(path, "must be between 1 and 120")
    return fps


def _rate(number: float) -> Fraction:
    """A decimal frame rate as a fraction; 29.97, 59.94, 23.976... mean the NTSC N*1000/1001."""
    ntsc = round(number * 1.001)
    # limit_denominator alone would keep 29.97 as 2997/100: decimal rates near N*1000/1001 are
    # how people write the NTSC rates, so those snap (the next representable rate is far away).
    if not number.is_integer() and abs(number - ntsc * 1000 / 1001) < 0.005:
        return Fraction(ntsc * 1000, 1001)
    return Fraction(number).limit_denominator(1001)


def format_fps(fps: Fraction) -> int | str:
    return fps.numerator if fps.denominator == 1 else f"{fps.numerator}/{fps.denominator}"
