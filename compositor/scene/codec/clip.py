"""The content of video and audio layers as JSON: clips (``asset``) and live inputs (``input``).

CONTRACT v1.1: a video layer plays exactly one of a clip (``"asset"``) or a live input
(``"input"``); an audio layer plays a clip. A clip has ``loop``, ``start_frame`` (an absolute
house-clock frame, or null: "the frame the commit lands on", see
``compositor.scene.animation.landing``), ``in_s``/``out_s`` (trim in seconds of media time,
``out_s`` null: the clip's end, else greater than ``in_s``), ``on_end`` (``hold`` or ``hide``),
``volume`` (linear gain 0..2) and ``muted``. A live input plays live: it has ``volume`` and
``muted`` only; the clip fields may be sent at their defaults (a client may send the full
shape) but any other value is refused with the field's path.

The numbers' bounds come from :func:`~compositor.scene.codec.fields.number_fields` (its
``content`` rows named in :data:`~compositor.scene.codec.fields.CLIP_NUMBERS`). Encoding writes
every field of a clip and ``input``, ``volume``, ``muted`` of a live input, so that
``decode(encode(c)) == c``. This module imports nothing of ours but the scene model, the errors
and ``fields``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from compositor.errors import SceneValidationError
from compositor.scene import ON_ENDS, AudioContent, ClipContent, VideoContent
from compositor.scene.codec.fields import (
    CLIP_NUMBERS,
    DEFAULT_LIMITS,
    Json,
    Limits,
    join_path,
    number_fields,
    read_boolean,
    read_choice,
    read_identifier,
    read_integer,
    read_numbers,
    read_object,
)

__all__ = [
    "AUDIO_FIELDS",
    "CLIP_ONLY_FIELDS",
    "CLIP_KINDS",
    "VIDEO_FIELDS",
    "decode_clip_content",
    "encode_clip_content",
]

CLIP_KINDS = ("video", "audio")
"""The layer kinds whose content is a clip or a live input (they have ``content.volume``)."""
CLIP_ONLY_FIELDS = ("loop", "start_frame", "in_s", "out_s", "on_end")
"""Content fields that only clips have: a live input may send them at their defaults only."""
VIDEO_FIELDS = frozenset(
    {"asset", "input", *CLIP_ONLY_FIELDS, "volume", "muted"}
)
AUDIO_FIELDS = VIDEO_FIELDS - {"input"}
assert set(CLIP_NUMBERS) <= AUDIO_FIELDS, "every clip number is a field of both kinds"
_CLIP_DEFAULTS = VideoContent()
_ASSET = "an asset id (not a path or URL)"


def _number(obj: Mapping[str, Json], path: str, key: str, limits: Limits) -> float | None:
    """One of the clip's bounded numbers (its row of ``number_fields``), checked."""
    numbers = number_fields(limits)["content"]
    row = next(row for row in numbers if row[0] == key)
    return read_numbers(obj, path, (row,), "content")[0]


def _source(kind: str, obj: Mapping[str, Json], where: str) -> tuple[str | None, str | None]:
    """``(asset, input)``: exactly one set for video, the asset for audio."""
    asset, source = obj.get("asset"), obj.get("input")
    if asset is None and source is None:
        reason = "is required" if kind == "audio" else \
            "is required (or content.input for a live input)"
        raise SceneValidationError(join_path(where, "asset"), reason)
    if asset is not None and source is not None:
        raise SceneValidationError(
            join_path(where, "input"), "cannot be set together with content.asset: a video "
            "layer plays a clip or a live input (set the other one to null)")
    if asset is not None:
        return read_identifier(asset, join_path(where, "asset"), _ASSET), None
    return None, read_identifier(source, join_path(where, "input"), "an input id")


def _check_live(content: VideoContent, where: str) -> None:
    """A live input plays live: the clip fields must be at their defaults."""
    for key in CLIP_ONLY_FIELDS:
        if getattr(content, key) != getattr(_CLIP_DEFAULTS, key):
            raise SceneValidationError(
                join_path(where, key), "only clips (content.asset) have it: a live input "
                "plays live (leave it out)")


def decode_clip_content(
    kind: str, value: Json, path: str, limits: Limits = DEFAULT_LIMITS
) -> ClipContent:
    """The content of a ``video`` or ``audio`` layer found at ``path`` (the layer's path).

    Fields are checked in the JSON order of CONTRACT v1.1: unknown keys, asset/input, loop,
    start_frame, in_s, out_s (and out_s > in_s), on_end, volume, muted.
    """
    where = join_path(path, "content")
    if kind == "audio" and isinstance(value, dict) and value.get("input") is not None:
        raise SceneValidationError(
            join_path(where, "input"), "an audio layer plays a clip (content.asset); a live "
            "input's sound plays through its video layer")
    obj = read_object(value, where, VIDEO_FIELDS if kind == "video" else AUDIO_FIELDS)
    asset, source = _source(kind, obj, where)
    loop = read_boolean(obj.get("loop", False), join_path(where, "loop"))
    start = obj.get("start_frame")
    start_frame = None if start is None else read_integer(
        start, join_path(where, "start_frame"), 0, limits.max_frame)
    in_s = cast(float, _number(obj, path, "in_s", limits))
    out_s = _number(obj, path, "out_s", limits)
    if out_s is not None and out_s <= in_s:
        raise SceneValidationError(
            join_path(where, "out_s"), f"must be greater than in_s ({in_s:g} s), or null for "
            "the clip's end")
    on_end = cast(Any, read_choice(obj.get("on_end", "hold"), join_path(where, "on_end"),
                                   ON_ENDS))
    volume = cast(float, _number(obj, path, "volume", limits))
    muted = read_boolean(obj.get("muted", False), join_path(where, "muted"))
    if kind == "audio":
        return AudioContent(cast(str, asset), loop, start_frame, in_s, out_s, on_end, volume,
                            muted)
    content = VideoContent(asset, source, loop, start_frame, in_s, out_s, on_end, volume, muted)
    if source is not None:
        _check_live(content, where)
    return content


def encode_clip_content(content: ClipContent) -> dict[str, Json]:
    """The JSON of a clip (every field) or of a live input (``input``, ``volume``, ``muted``)."""
    if isinstance(content, VideoContent) and content.input is not None:
        return {"input": content.input, "volume": content.volume, "muted": content.muted}
    return {
        "asset": content.asset,
        "loop": content.loop,
        "start_frame": content.start_frame,
        "in_s": content.in_s,
        "out_s": content.out_s,
        "on_end": content.on_end,
        "volume": content.volume,
        "muted": content.muted,
    }
