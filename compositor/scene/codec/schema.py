"""JSON Schema (the OpenAPI 3.1 dialect, JSON Schema 2020-12) of layers, ops and scenes, and the
limits document the web page reads, both generated from the codec.

Nothing here restates a bound: numbers come from
:func:`~compositor.scene.codec.fields.number_fields`, the configurable bounds from
:class:`~compositor.scene.codec.fields.Limits`, the choices and defaults from the scene model,
the patterns from the codec, the easing names from :mod:`compositor.scene.animation.easing`. The
schema describes what :func:`~compositor.scene.codec.decode_scene` accepts; a few rules that a
schema cannot say simply (unique ids, ``crop.left + crop.right < 1``,
keyframe frames increasing, an animated value within its property's range) are stated in
descriptions and enforced by the decoder alone.

Layer, Op and Scene refer to one another by ``$ref`` under ``ref_base`` (OpenAPI's
``#/components/schemas/`` by default). Pure: imports nothing of ours but the model, the codec's
parts and the easing names.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from msgspec.structs import fields as struct_fields

from compositor.scene import (
    ALIGNS,
    ANIMATABLE_PROPERTIES,
    BLENDS,
    BUILTIN_FONT_NAMES,
    EFFECTS,
    KINDS,
    Layer,
    Scene,
    TextContent,
)
from compositor.scene.animation.easing import CSS_KEYWORDS, EASINGS
from compositor.scene.codec.animation import RUNTIME_LAYER_FIELDS
from compositor.scene.codec.fields import (
    COLOR_PATTERN,
    ID_PATTERN,
    Json,
    Limits,
    format_color,
    format_fps,
    number_fields,
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

_COLOR = {"type": "string", "pattern": f"^{COLOR_PATTERN.pattern}$",
          "description": "sRGB hex, straight alpha: #RRGGBB or #RRGGBBAA"}
_ID = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}
_RUNTIME = "runtime state that the server manages; clients need not send it"
_DESCRIPTIONS = {  # by JSON path; the numbers' bounds and defaults come from the codec
    "transform.width": "null: natural size",
    "transform.rotation_deg": "clockwise, about the anchor",
}


def _number(value: float | None) -> Json:
    """A bound or default as JSON writes it: 1, not 1.0, where the value is whole."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def _default(cls: type[Any], name: str) -> Any:
    """The model's default of one field of ``cls`` (the model owns the defaults)."""
    return next(f.default for f in struct_fields(cls) if f.name == name)


def _numbers(limits: Limits, section: str) -> dict[str, dict[str, Json]]:
    """The schemas of the bounded numbers of one section of a layer (``""``: the layer's own)."""
    properties: dict[str, dict[str, Json]] = {}
    for key, default, lo, hi in number_fields(limits)[section]:
        schema: dict[str, Json] = {"type": "number" if default is not None else ["number", "null"],
                                   "minimum": _number(lo), "maximum": _number(hi),
                                   "default": _number(default)}
        path = f"{section}.{key}" if section else key
        if path in _DESCRIPTIONS:
            schema["description"] = _DESCRIPTIONS[path]
        properties[key] = schema
    return properties


def _integer(lo: int, hi: int, **extra: Json) -> dict[str, Json]:
    return {"type": "integer", "minimum": lo, "maximum": hi, **extra}


def _easing() -> dict[str, Json]:
    return {"type": ["string", "null"], "default": "linear",
            "description": "a Penner easing name such as easeOutCubic (any case), a CSS keyword "
                           "such as ease-in, or cubic-bezier(x1, y1, x2, y2); null means linear; "
                           "the names: GET /api/v1/limits, choices.easing"}


def _object(properties: dict[str, Json], required: tuple[str, ...] = (),
            **extra: Json) -> dict[str, Json]:
    schema: dict[str, Json] = {"type": "object", "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return {**schema, **extra, "properties": properties}


# --- layers --------------------------------------------------------------------------------------


def _content_by_kind(limits: Limits) -> dict[str, dict[str, Json]]:
    """The content schema of each layer kind."""
    text_numbers = _numbers(limits, "content")
    fonts = ", ".join(BUILTIN_FONT_NAMES)
    by_kind = {
        "color": _object({"color": _COLOR}, ("color",), title="color"),
        "image": _object({"asset": {**_ID, "description": "an image asset id (never a path "
                                                          "or URL)"}},
                         ("asset",), title="image"),
        "text": _object({
            "text": {"type": "string", "maxLength": limits.max_text_chars},
            "font": {**_ID, "default": _default(TextContent, "font"),
                     "description": f"{fonts}, or a font asset id"},
            "size_px": text_numbers["size_px"],
            "color": {**_COLOR, "default": format_color(_default(TextContent, "color"))},
            "align": {"enum": list(ALIGNS), "default": _default(TextContent, "align")},
            "max_width_px": text_numbers["max_width_px"],
        }, ("text",), title="text"),
    }
    assert tuple(by_kind) == tuple(KINDS), "a content schema for each kind, in KINDS' order"
    return by_kind


def _content(limits: Limits) -> dict[str, Json]:
    return {"oneOf": list(_content_by_kind(limits).values()),
            "description": "Shape depends on the layer's kind."}


def _kind_matches_content(limits: Limits) -> list[Json]:
    """One branch per kind: a layer's content has the shape of its kind's content."""
    return [{"properties": {"kind": {"const": kind}, "content": content}}
            for kind, content in _content_by_kind(limits).items()]


def _transition(limits: Limits, *, start: bool) -> dict[str, Json]:
    """An enter/exit effect; with ``start`` a playing one (``entering``/``leaving``)."""
    properties: dict[str, Json] = {
        "effect": {"enum": list(EFFECTS)},
        "duration_frames": _integer(0, limits.max_duration_frames),
        "easing": _easing(),
    }
    required: tuple[str, ...] = ("effect", "duration_frames")
    if start:
        properties["start_frame"] = _integer(0, limits.max_frame,
                                             description="absolute frame it started on")
        required += ("start_frame",)
    schema = _object(properties, required)
    schema["type"] = ["object", "null"]
    return schema


def _value() -> dict[str, Json]:
    return {"anyOf": [{"type": "number"}, _COLOR],
            "description": "a number within the property's bounds (GET /api/v1/limits), or a "
                           "colour for content.color"}


def _animation(limits: Limits) -> dict[str, Json]:
    keyframe = _object({"frame": _integer(0, limits.max_duration_frames,
                                          description="from the animation's start"),
                        "value": _value(), "easing": _easing()}, ("frame", "value"))
    return _object({
        "property": {"enum": list(ANIMATABLE_PROPERTIES)},
        "keyframes": {"type": "array", "items": keyframe, "minItems": 1,
                      "maxItems": limits.max_keyframes,
                      "description": "frames strictly increasing"},
        "loop": {"enum": list(LOOP_VALUES), "default": False},
        "start": {"anyOf": [{"const": "on_commit"}, _integer(0, limits.max_frame)],
                  "default": "on_commit",
                  "description": "on_commit, or the absolute frame it starts on"},
    }, ("property", "keyframes"))


def _tween(limits: Limits) -> dict[str, Json]:
    return _object({
        "property": {"enum": list(ANIMATABLE_PROPERTIES)},
        "from": _value(), "to": _value(),
        "start_frame": _integer(0, limits.max_frame),
        "duration_frames": _integer(0, limits.max_duration_frames),
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
    return _object({
        "id": {**_ID, "description": "assigned by the server (layer-xxxxxxxx) if absent"},
        "name": {"type": ["string", "null"], "maxLength": limits.max_name_chars},
        "kind": {"enum": list(KINDS)},
        "content": _content(limits),
        "transform": _object(_numbers(limits, "transform")),
        "crop": {**_object(_numbers(limits, "crop")),
                 "description": "fractions cut away: left + right < 1 and top + bottom < 1"},
        **_numbers(limits, ""),
        "blend": {"enum": list(BLENDS), "default": _default(Layer, "blend")},
        "visible": {"type": "boolean", "default": _default(Layer, "visible")},
        "z": _integer(-limits.max_z, limits.max_z, default=_default(Layer, "z"),
                      description="draw order, low first; ties by creation order"),
        **_animation_properties(limits),
    }, ("kind", "content"), oneOf=_kind_matches_content(limits))


# --- ops and scenes ------------------------------------------------------------------------------


def _animate(limits: Limits) -> dict[str, Json]:
    schema = _object({
        "duration_frames": _integer(0, limits.max_duration_frames),
        "easing": _easing(),
        "delay_frames": _integer(0, limits.max_duration_frames, default=0),
    }, ("duration_frames",), description="play the op's changes over frames; null: at once")
    schema["type"] = ["object", "null"]
    return schema


def op_schema(limits: Limits, ref_base: str = OPENAPI_REF_BASE) -> dict[str, Json]:
    """The schema of one op as :func:`~compositor.scene.codec.decode_op` accepts it."""
    animate = _animate(limits)
    return {"oneOf": [
        _object({"op": {"const": "add"}, "layer": {"$ref": ref_base + "Layer"},
                 "animate": animate}, ("op", "layer")),
        _object({"op": {"const": "update"}, "id": _ID,
                 "patch": {"type": "object", "description": "JSON merge patch (RFC 7396)"},
                 "animate": animate}, ("op", "id", "patch")),
        _object({"op": {"const": "remove"}, "id": _ID, "animate": animate}, ("op", "id")),
    ]}


def scene_schema(limits: Limits, ref_base: str = OPENAPI_REF_BASE) -> dict[str, Json]:
    """The schema of a whole scene as :func:`~compositor.scene.codec.decode_scene` accepts it."""
    layers = {"type": "array", "items": {"$ref": ref_base + "Layer"},
              "maxItems": limits.max_layers}
    canvas = "even (4:2:0 video needs even sizes)"
    return _object({
        "version": _integer(0, 2**53),
        "width": _integer(16, limits.max_canvas_width, multipleOf=2,
                          default=_default(Scene, "width"), description=canvas),
        "height": _integer(16, limits.max_canvas_height, multipleOf=2,
                           default=_default(Scene, "height"), description=canvas),
        "fps": {"type": ["integer", "number", "string"], "minimum": 1, "maximum": 120,
                "default": format_fps(_default(Scene, "fps")),
                "description": "60, 29.97 or \"30000/1001\""},
        "background": {**_COLOR, "default": format_color(_default(Scene, "background"))},
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
    ``default`` (null: optional, null allowed).
    """
    numbers: dict[str, dict[str, Json]] = {}
    for section, spec in number_fields(limits).items():
        for key, default, lo, hi in spec:
            numbers[f"{section}.{key}" if section else key] = {
                "minimum": _number(lo), "maximum": _number(hi), "default": _number(default)}
    numbers["z"] = {"minimum": -limits.max_z, "maximum": limits.max_z,
                    "default": _default(Layer, "z")}
    return {
        "limits": {k: _number(v) if isinstance(v, float) else v
                   for k, v in dataclasses.asdict(limits).items()},
        "choices": {
            "kind": list(KINDS), "blend": list(BLENDS), "align": list(ALIGNS),
            "effect": list(EFFECTS), "loop": list(LOOP_VALUES),
            "property": list(ANIMATABLE_PROPERTIES), "easing": [*EASINGS, *CSS_KEYWORDS],
        },
        "fonts": list(BUILTIN_FONT_NAMES),
        "numbers": numbers,
    }
