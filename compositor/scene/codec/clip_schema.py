"""The JSON Schema of the content of video and audio layers (CONTRACT v1.1), as
:func:`~compositor.scene.codec.clip.decode_clip_content` accepts it.

A video layer's content has exactly one of ``asset`` (a clip) and ``input`` (a live input):
two ``oneOf`` branches, the live one holding the clip fields to their defaults. The rule
``out_s > in_s`` is stated in a description and enforced by the decoder alone. Pure: imports
nothing of ours but the model and the codec's parts.
"""

from __future__ import annotations

from compositor.scene import ON_ENDS, VideoContent
from compositor.scene.codec.clip import CLIP_ONLY_FIELDS
from compositor.scene.codec.fields import Json, Limits
from compositor.scene.codec.schema_parts import (
    ID_SCHEMA,
    integer_schema,
    model_default,
    number_schemas,
    object_schema,
)

__all__ = ["audio_content_schema", "video_content_schema"]

_ASSET = {**ID_SCHEMA, "description": "a clip's asset id (never a path or URL)"}


def _clip_properties(limits: Limits) -> dict[str, Json]:
    """The fields of a clip, in CONTRACT order, asset first."""
    numbers = number_schemas(limits, "content")
    return {
        "asset": _ASSET,
        "loop": {"type": "boolean", "default": model_default(VideoContent, "loop"),
                 "description": "play in_s..out_s again and again, with no gap"},
        "start_frame": {**integer_schema(0, limits.max_frame), "type": ["integer", "null"],
                        "default": None,
                        "description": "house-clock frame that shows the in point; null: the "
                                       "frame the commit lands on (the server stores it)"},
        "in_s": numbers["in_s"],
        "out_s": numbers["out_s"],
        "on_end": {"enum": list(ON_ENDS), "default": model_default(VideoContent, "on_end"),
                   "description": "without loop: hold the last frame or hide the layer"},
        "volume": numbers["volume"],
        "muted": {"type": "boolean", "default": model_default(VideoContent, "muted")},
    }


def audio_content_schema(limits: Limits) -> dict[str, Json]:
    """An audio layer's content: a clip (sound only; draws nothing)."""
    return object_schema(_clip_properties(limits), ("asset",), title="audio")


def video_content_schema(limits: Limits) -> dict[str, Json]:
    """A video layer's content: a clip (``asset``) or a live input (``input``), not both."""
    properties = _clip_properties(limits)
    properties["asset"] = {**_ASSET, "type": ["string", "null"]}
    properties["input"] = {**ID_SCHEMA, "type": ["string", "null"],
                           "description": "a live input's id (POST /api/v1/inputs)"}
    live_defaults: dict[str, Json] = {
        key: {"const": properties[key]["default"]} for key in CLIP_ONLY_FIELDS}
    clip = {"required": ["asset"], "properties": {"asset": {"type": "string"}},
            "title": "clip"}
    live = {"required": ["input"], "properties": {"input": {"type": "string"}, **live_defaults},
            "title": "live input", "description": "the clip fields, if sent, at their defaults"}
    return object_schema(properties, title="video", oneOf=[clip, live])
