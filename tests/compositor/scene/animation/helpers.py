"""Shared by the animation tests: a canvas, a box layer, commits through the real codec, and
what is on air at a frame."""

from __future__ import annotations

import json
from typing import Any

from compositor.scene import Color, ColorContent, Layer, Scene, Transform, find_layer
from compositor.scene.animation import evaluate
from compositor.scene.codec import decode_layer, decode_ops, encode_layer
from compositor.scene.ops import apply_ops

F0 = 107_717_040_000  # 2026-11-21T18:00:00Z at 60 fps: absolute frames are big numbers
RED = Color(255, 0, 0, 255)


def box(layer_id: str = "a", **fields: Any) -> Layer:
    """A 100×50 red colour layer with its top-left corner at (100, 100)."""
    transform = Transform(x_px=100.0, y_px=100.0, width_px=100.0, height_px=50.0)
    return Layer(id=layer_id, kind="color", content=ColorContent(RED), transform=transform,
                 **fields)


def canvas(*layers: Layer) -> Scene:
    return Scene(width=640, height=360, layers=layers)


def commit(scene: Scene, ops: list[dict[str, Any]], frame: int | None) -> Scene:
    """Ops as a client sends them (JSON), through the codec, landing at ``frame``."""
    return apply_ops(scene, decode_ops(json.loads(json.dumps(ops))), frame=frame)


def on_air(scene: Scene, frame: int, layer_id: str = "a") -> Layer | None:
    """The layer as drawn at ``frame``, None when it is not drawn."""
    layer = find_layer(evaluate(scene, frame), layer_id)
    return layer if layer is not None and layer.visible else None


def drawn(scene: Scene, frame: int, layer_id: str = "a") -> Layer:
    layer = on_air(scene, frame, layer_id)
    assert layer is not None, f"{layer_id} is not drawn at {frame}"
    return layer


def with_keyframes(prop: str, keyframes: list[dict[str, Any]], **extra: Any) -> Scene:
    layer_json = {
        "id": "a", "kind": "color", "content": {"color": "#FF0000"},
        "transform": {"x": 100, "y": 100, "width": 100, "height": 50},
        "animations": [{"property": prop, "keyframes": keyframes, "start": F0, **extra}],
    }
    return canvas(decode_layer(layer_json))


def fade(frames: int = 10) -> dict[str, Any]:
    return {"effect": "fade", "duration_frames": frames}


def add(layer: Layer, **fields: Any) -> dict[str, Any]:
    return {"op": "add", "layer": {**encode_layer(layer), **fields}}


def box_json() -> dict[str, Any]:
    return {"id": "a", "kind": "color", "content": {"color": "#FF0000"},
            "transform": {"x": 100, "y": 100, "width": 100, "height": 50}}
