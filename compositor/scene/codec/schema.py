"""JSON Schema (the OpenAPI 3.1 dialect, JSON Schema 2020-12) of layers, ops and scenes, and the
limits document the web page reads, both generated from the codec.

Nothing here restates a bound: numbers come from
:func:`~compositor.scene.codec.fields.number_fields`, the configurable bounds from
:class:`~compositor.scene.codec.fields.Limits`, the choices and defaults from the scene model,
the patterns from the codec, the easing names from :mod:`compositor.scene.animation.easing`. The
schema describes what :func:`~compositor.scene.codec.decode_scene` accepts; a few rules that a
schema cannot say simply (unique ids, ``crop.left + crop.right < 1``, a clip's ``out_s > in_s``,
keyframe frames increasing, an animated value within its property's range) are stated in
descriptions and enforced by the decoder alone.

Layer, Op and Scene refer to one another by ``$ref`` under ``ref_base`` (OpenAPI's
``#/components/schemas/`` by default). Pure: imports nothing of ours but the model, the codec's
parts and the easing names.
"""

from __future__ import annotations

import dataclasses

from compositor.scene import (
    ALIGNS,
    ANIMATABLE_PROPERTIES,
    BLENDS,
    BUILTIN_FONT_NAMES,
    EFFECTS,
    KINDS,
    ON_ENDS,
    Layer,
    Scene,
    TextContent,
)
from compositor.scene.animation.easing import CSS_KEYWORDS, EASINGS
from compositor.scene.codec.animation import RUNTIME_LAYER_FIELDS
from compositor.scene.codec.clip_schema import audio_content_schema, video_content_schema
from compositor.scene.codec.fields import Json, Limits, format_color, format_fps, number_fields
from compositor.scene.codec.schema_parts import (
    COLOR_SCHEMA,
    ID_SCHEMA,
    integer_schema,
    json_number,
    model_default,
    number_schemas,
    object_schema,
)

__all__ = [
    "LOOP_VALUES",
    "OPENAPI_REF_BASE",
    "component_schemas",
    "layer_schema",
    "limits_document",
    "op_schema",
    "scene_schema",
]

OPENAPI_REF_BASE = "#/components/schemas/"
LOOP_VALUES: tuple[Json, ...] = (False, True, "pingpong")
"""How a keyframe animation's ``loop`` is spelled in JSON (the model's once, loop, pingpong)."""

_RUNTIME = "runtime state that the server manages; clients need not send it"


def _easing() -> dict[str, Json]:
    return {"type": ["string", "null"], "default": "linear",
            "description": "a Penner easing name such as easeOutCubic (any case), a CSS keyword "
                           "such as ease-in, or cubic-bezier(x1, y1, x2, y2); null means linear; "
                           "the names: GET /api/v1/limits, choices.easing"}


# --- layers --------------------------------------------------------------------------------------


def _content_by_kind(limits: Limits) -> dict[str, dict[str, Json]]:
    """The content schema of each layer kind."""
    text_numbers = number_schemas(limits, "content")
    fonts = ", ".join(BUILTIN_FONT_NAMES)
    by_kind = {
        "color": object_schema({"color": COLOR_SCHEMA}, ("color",), title="color"),
        "image": object_schema({"asset": {**ID_SCHEMA, "description": "an image asset id "
                                                                "(never a path or URL)"}},
                               ("asset",), title="image"),
        "text": object_schema({
            "text": {"type": "string", "maxLength": limits.max_text_chars},
            "font": {**ID_SCHEMA, "default": model_default(TextContent, "font"),
                     "description": f"{fonts}, or a font asset id"},
            "size_px": text_numbers["size_px"],
            "color": {**COLOR_SCHEMA,
                      "default": format_color(model_default(TextContent, "color"))},
            "align": {"enum": list(ALIGNS), "default": model_default(TextContent, "align")},
            "max_width_px": text_numbers["max_width_px"],
        }, ("text",), title="text"),
        "video": video_content_schema(limits),
        "audio": audio_content_schema(limits),
    }
    assert tuple(by_kind) == tuple(KINDS), "a content schema for each kind, in KINDS' order"
    return by_kind


def _content(limits: Limits) -> dict[str, Json]:
    # anyOf: an image's content ({"asset": ...}) is also a clip's; the layer's oneOf by kind
    # (_kind_matches_content) picks the one shape.
    return {"anyOf": list(_content_by_kind(limits).values()),
            "description": "Shape depends on the layer's kind."}


def _kind_matches_content(limits: Limits) -> list[Json]:
    """One branch per kind: a layer's content has the shape of its kind's content."""
    return [{"properties": {"kind": {"const": kind}, "content": content}}
            for kind, content in _content_by_kind(limits).items()]


def _transition(limits: Limits, *, start: bool) -> dict[str, Json]:
    """An enter/exit effect; with ``start`` a playing one (``entering``/``leaving``)."""
    properties: dict[str, Json] = {
        "effect": {"enum": list(EFFECTS)},
        "duration_frames": integer_schema(0, limits.max_duration_frames),
        "easing": _easing(),
    }
    required: tuple[str, ...] = ("effect", "duration_frames")
    if start:
        properties["start_frame"] = integer_schema(0, limits.max_frame,
                                             description="absolute frame it started on")
        required += ("start_frame",)
    schema = object_schema(properties, required)
    schema["type"] = ["object", "null"]
    return schema


def _value() -> dict[str, Json]:
    return {"anyOf": [{"type": "number"}, COLOR_SCHEMA],
            "description": "a number within the property's bounds (GET /api/v1/limits), or a "
                           "colour for content.color"}


def _animation(limits: Limits) -> dict[str, Json]:
    keyframe = object_schema({"frame": integer_schema(0, limits.max_duration_frames,
                                          description="from the animation's start"),
                        "value": _value(), "easing": _easing()}, ("frame", "value"))
    return object_schema({
        "property": {"enum": list(ANIMATABLE_PROPERTIES)},
        "keyframes": {"type": "array", "items": keyframe, "minItems": 1,
                      "maxItems": limits.max_keyframes,
                      "description": "frames strictly increasing"},
        "loop": {"enum": list(LOOP_VALUES), "default": False},
        "start": {"anyOf": [{"const": "on_commit"}, integer_schema(0, limits.max_frame)],
                  "default": "on_commit",
                  "description": "on_commit, or the absolute frame it starts on"},
    }, ("property", "keyframes"))


def _tween(limits: Limits) -> dict[str, Json]:
    return object_schema({
        "property": {"enum": list(ANIMATABLE_PROPERTIES)},
        "from": _value(), "to": _value(),
        "start_frame": integer_schema(0, limits.max_frame),
        "duration_frames": integer_schema(0, limits.max_duration_frames),
        "easing": _easing(),
    }, ("property", "from", "to", "start_frame", "duration_frames"))


def _animation_properties(limits: Limits) -> dict[str, Json]:
    properties: dict[str, Json] = {
        "enter": {**_transition(limits, start=False), "default": None},
        "exit": {**_transition(limits, start=False), "default": None},
        "animations": {"type": "array", "items": _animation(limits),
                       "maxItems": limits.max_animations, "default": [],
                       "description": "keyframe animations, at most one per property"},
        "tweens": {"type": "array", "items": _tween(limits), "maxItems": limits.max_tweens},
        "entering": _transition(limits, start=True),
        "leaving": _transition(limits, start=True),
    }
    for key in RUNTIME_LAYER_FIELDS:
        properties[key]["description"] = _RUNTIME
    return properties


def layer_schema(limits: Limits) -> dict[str, Json]:
    """The schema of one layer as :func:`~compositor.scene.codec.decode_layer` accepts it (it
    refers to no other schema)."""
    return object_schema({
        "id": {**ID_SCHEMA, "description": "assigned by the server (layer-xxxxxxxx) if absent"},
        "name": {"type": ["string", "null"], "maxLength": limits.max_name_chars},
        "kind": {"enum": list(KINDS)},
        "content": _content(limits),
        "transform": object_schema(number_schemas(limits, "transform")),
        "crop": {**object_schema(number_schemas(limits, "crop")),
                 "description": "fractions cut away: left + right < 1 and top + bottom < 1"},
        **number_schemas(limits, ""),
        "blend": {"enum": list(BLENDS), "default": model_default(Layer, "blend")},
        "visible": {"type": "boolean", "default": model_default(Layer, "visible")},
        "z": integer_schema(-limits.max_z, limits.max_z, default=model_default(Layer, "z"),
                      description="draw order, low first; ties by creation order"),
        **_animation_properties(limits),
    }, ("kind", "content"), oneOf=_kind_matches_content(limits))


# --- ops and scenes ------------------------------------------------------------------------------


def _animate(limits: Limits) -> dict[str, Json]:
    schema = object_schema({
        "duration_frames": integer_schema(0, limits.max_duration_frames),
        "easing": _easing(),
        "delay_frames": integer_schema(0, limits.max_duration_frames, default=0),
    }, ("duration_frames",), description="play the op's changes over frames; null: at once")
    schema["type"] = ["object", "null"]
    return schema


def op_schema(limits: Limits, ref_base: str = OPENAPI_REF_BASE) -> dict[str, Json]:
    """The schema of one op as :func:`~compositor.scene.codec.decode_op` accepts it."""
    animate = _animate(limits)
    return {"oneOf": [
        object_schema({"op": {"const": "add"}, "layer": {"$ref": ref_base + "Layer"},
                 "animate": animate}, ("op", "layer")),
        object_schema({"op": {"const": "update"}, "id": ID_SCHEMA,
                 "patch": {"type": "object", "description": "JSON merge patch (RFC 7396)"},
                 "animate": animate}, ("op", "id", "patch")),
        object_schema({"op": {"const": "remove"}, "id": ID_SCHEMA, "animate": animate},
                      ("op", "id")),
    ]}


def scene_schema(limits: Limits, ref_base: str = OPENAPI_REF_BASE) -> dict[str, Json]:
    """The schema of a whole scene as :func:`~compositor.scene.codec.decode_scene` accepts it."""
    layers = {"type": "array", "items": {"$ref": ref_base + "Layer"},
              "maxItems": limits.max_layers}
    canvas = "even (4:2:0 video needs even sizes)"
    return object_schema({
        "version": integer_schema(0, 2**53),
        "width": integer_schema(16, limits.max_canvas_width, multipleOf=2,
                          default=model_default(Scene, "width"), description=canvas),
        "height": integer_schema(16, limits.max_canvas_height, multipleOf=2,
                           default=model_default(Scene, "height"), description=canvas),
        "fps": {"type": ["integer", "number", "string"], "minimum": 1, "maximum": 120,
                "default": format_fps(model_default(Scene, "fps")),
                "description": "60, 29.97 or \"30000/1001\""},
        "background": {**COLOR_SCHEMA, "default": format_color(model_default(Scene, "background"))},
        "layers": {**layers, "description": "in creation order; ids unique"},
        "exiting": {**layers, "description": "removed layers still playing their exit: "
                    + _RUNTIME},
    })


def component_schemas(limits: Limits, ref_base: str = OPENAPI_REF_BASE) -> dict[str, Json]:
    """``{"Layer", "Op", "Scene"}``, referring to one another under ``ref_base``."""
    return {"Layer": layer_schema(limits), "Op": op_schema(limits, ref_base),
            "Scene": scene_schema(limits, ref_base)}


# --- the limits document -------------------------------------------------------------------------


def limits_document(limits: Limits) -> dict[str, Json]:
    """What a client needs to offer only valid values (GET /api/v1/limits), as plain JSON.

    ``limits``: the configurable bounds (:class:`Limits`' fields); ``choices``: the allowed
    strings of each enumerated field; ``fonts``: the builtin font names (any font asset id also
    works); ``numbers``: each bounded number of a layer by its JSON path (``"transform.x"``,
    ``"content.size_px"``, ``"opacity"``, ``"z"``) with its ``minimum``, ``maximum`` and
    ``default`` (null: optional, null allowed); the integers ``z`` and ``content.start_frame``
    (clips) included.
    """
    numbers: dict[str, dict[str, Json]] = {}
    for section, spec in number_fields(limits).items():
        for key, default, lo, hi in spec:
            numbers[f"{section}.{key}" if section else key] = {
                "minimum": json_number(lo), "maximum": json_number(hi),
                "default": json_number(default)}
    numbers["z"] = {"minimum": -limits.max_z, "maximum": limits.max_z,
                    "default": model_default(Layer, "z")}
    numbers["content.start_frame"] = {"minimum": 0, "maximum": limits.max_frame, "default": None}
    return {
        "limits": {k: json_number(v) if isinstance(v, float) else v
                   for k, v in dataclasses.asdict(limits).items()},
        "choices": {
            "kind": list(KINDS), "blend": list(BLENDS), "align": list(ALIGNS),
            "on_end": list(ON_ENDS),
            "effect": list(EFFECTS), "loop": list(LOOP_VALUES),
            "property": list(ANIMATABLE_PROPERTIES), "easing": [*EASINGS, *CSS_KEYWORDS],
        },
        "fonts": list(BUILTIN_FONT_NAMES),
        "numbers": numbers,
    }
