"""The building blocks of the codec's JSON Schemas (the OpenAPI 3.1 dialect, JSON Schema
2020-12): patterns, numbers with the codec's bounds, objects that refuse unknown keys.

:mod:`~compositor.scene.codec.schema` (layers, ops, scenes, the limits document) and
:mod:`~compositor.scene.codec.clip_schema` (video and audio content) build on these. Nothing
here restates a bound: numbers come from
:func:`~compositor.scene.codec.fields.number_fields`, defaults from the model's classes. Pure:
imports nothing of ours but the codec's ``fields``.
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import fields as struct_fields

from compositor.scene.codec.fields import COLOR_PATTERN, ID_PATTERN, Json, Limits, number_fields

__all__ = [
    "COLOR_SCHEMA",
    "ID_SCHEMA",
    "integer_schema",
    "json_number",
    "model_default",
    "number_schemas",
    "object_schema",
]

COLOR_SCHEMA: dict[str, Json] = {
    "type": "string", "pattern": f"^{COLOR_PATTERN.pattern}$",
    "description": "sRGB hex, straight alpha: #RRGGBB or #RRGGBBAA"}
ID_SCHEMA: dict[str, Json] = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}
_DESCRIPTIONS = {  # by JSON path; the numbers' bounds and defaults come from the codec
    "transform.width": "null: natural size",
    "transform.rotation_deg": "clockwise, about the anchor",
    "content.volume": "linear gain into the program audio; tweens like any number",
    "content.in_s": "clips: trim in point, seconds of media time",
    "content.out_s": "clips: trim out point, greater than in_s; null: the clip's end",
}


def json_number(value: float | None) -> Json:
    """A bound or default as JSON writes it: 1, not 1.0, where the value is whole."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def model_default(cls: type[Any], name: str) -> Any:
    """The model's default of one field of ``cls`` (the model owns the defaults)."""
    return next(f.default for f in struct_fields(cls) if f.name == name)


def number_schemas(limits: Limits, section: str) -> dict[str, dict[str, Json]]:
    """The schemas of the bounded numbers of one section of a layer (``""``: the layer's own),
    by key."""
    properties: dict[str, dict[str, Json]] = {}
    for key, default, lo, hi in number_fields(limits)[section]:
        schema: dict[str, Json] = {"type": "number" if default is not None else ["number", "null"],
                                   "minimum": json_number(lo), "maximum": json_number(hi),
                                   "default": json_number(default)}
        path = f"{section}.{key}" if section else key
        if path in _DESCRIPTIONS:
            schema["description"] = _DESCRIPTIONS[path]
        properties[key] = schema
    return properties


def integer_schema(lo: int, hi: int, **extra: Json) -> dict[str, Json]:
    return {"type": "integer", "minimum": lo, "maximum": hi, **extra}


def object_schema(properties: dict[str, Json], required: tuple[str, ...] = (),
                  **extra: Json) -> dict[str, Json]:
    """An object with these properties and no others."""
    schema: dict[str, Json] = {"type": "object", "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return {**schema, **extra, "properties": properties}
