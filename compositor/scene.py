"""The scene model: plain, immutable data and pure helpers.

A :class:`Scene` is what is on air: a canvas and a tuple of :class:`Layer` in *creation order*.
Draw order is by ``z`` (low first) with ties broken by creation order (:func:`draw_order`).
Everything here is frozen; a change produces a new value. This module imports nothing of ours.

Units are in the names: ``*_px`` canvas pixels, ``*_deg`` degrees clockwise, fractions are 0..1.
Colours are straight (not premultiplied) sRGB RGBA bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Literal, TypeAlias

__all__ = [
    "ALIGNS",
    "AddLayer",
    "BLENDS",
    "KINDS",
    "Align",
    "Blend",
    "Color",
    "ColorContent",
    "Content",
    "Crop",
    "ImageContent",
    "Kind",
    "Layer",
    "Op",
    "RemoveLayer",
    "Scene",
    "TextContent",
    "Transform",
    "UpdateLayer",
    "draw_order",
    "find_layer",
]

Kind = Literal["color", "image", "text"]
Blend = Literal["normal", "add", "multiply", "screen"]
Align = Literal["left", "center", "right"]
KINDS: tuple[Kind, ...] = ("color", "image", "text")
BLENDS: tuple[Blend, ...] = ("normal", "add", "multiply", "screen")
ALIGNS: tuple[Align, ...] = ("left", "center", "right")


@dataclass(frozen=True, slots=True)
class Color:
    """An sRGB colour with straight alpha, each channel 0..255."""

    r: int
    g: int
    b: int
    a: int = 255

    def to_floats(self) -> tuple[float, float, float, float]:
        """Channels as floats in 0..1 (still sRGB-encoded, straight alpha)."""
        return (self.r / 255.0, self.g / 255.0, self.b / 255.0, self.a / 255.0)


@dataclass(frozen=True, slots=True)
class ColorContent:
    color: Color


@dataclass(frozen=True, slots=True)
class ImageContent:
    """An image drawn from an uploaded asset (never a path or URL)."""

    asset: str


@dataclass(frozen=True, slots=True)
class TextContent:
    text: str
    font: str = "sans"
    size_px: float = 48.0
    color: Color = Color(255, 255, 255, 255)
    align: Align = "left"
    max_width_px: float | None = None


Content: TypeAlias = ColorContent | ImageContent | TextContent


@dataclass(frozen=True, slots=True)
class Transform:
    """Where a layer's box goes on the canvas.

    ``x_px``/``y_px`` place the anchor point (origin top-left, y down); the anchor is a fraction of
    the layer box; scale and clockwise rotation happen about the anchor. ``width_px``/``height_px``
    of None mean the natural size of the content.
    """

    x_px: float = 0.0
    y_px: float = 0.0
    width_px: float | None = None
    height_px: float | None = None
    anchor_x: float = 0.0
    anchor_y: float = 0.0
    scale_x: float = 1.0
    scale_y: float = 1.0
    rotation_deg: float = 0.0


@dataclass(frozen=True, slots=True)
class Crop:
    """Fractions of the source cut away from each edge (left + right < 1, top + bottom < 1)."""

    left: float = 0.0
    top: float = 0.0
    right: float = 0.0
    bottom: float = 0.0


@dataclass(frozen=True, slots=True)
class Layer:
    id: str
    kind: Kind
    content: Content
    name: str | None = None
    transform: Transform = field(default_factory=Transform)
    crop: Crop = field(default_factory=Crop)
    opacity: float = 1.0
    blend: Blend = "normal"
    visible: bool = True
    z: int = 0


@dataclass(frozen=True, slots=True)
class Scene:
    """The whole program: canvas, background and layers in creation order."""

    version: int = 0
    width: int = 1920
    height: int = 1080
    fps: Fraction = Fraction(60)
    background: Color = Color(0, 0, 0, 255)
    layers: tuple[Layer, ...] = ()

    def with_layers(self, layers: tuple[Layer, ...], *, bump: bool = True) -> Scene:
        """A copy with other layers, the version incremented unless ``bump`` is false."""
        return replace(self, layers=layers, version=self.version + 1 if bump else self.version)


def draw_order(scene: Scene) -> tuple[Layer, ...]:
    """Layers low ``z`` first; ties keep creation order (``sorted`` is stable)."""
    return tuple(sorted(scene.layers, key=lambda layer: layer.z))


def find_layer(scene: Scene, layer_id: str) -> Layer | None:
    """The layer with that id, or None."""
    for layer in scene.layers:
        if layer.id == layer_id:
            return layer
    return None


# --- ops: the three changes a commit is made of -------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddLayer:
    """Append a layer (it is created last, so it wins ``z`` ties)."""

    layer: Layer


@dataclass(frozen=True, slots=True)
class UpdateLayer:
    """Apply a JSON merge patch (RFC 7396) to the JSON form of one layer.

    ``patch`` is plain JSON data; it is validated when applied, against the layer it patches.
    """

    id: str
    patch: dict[str, object]


@dataclass(frozen=True, slots=True)
class RemoveLayer:
    id: str


Op: TypeAlias = AddLayer | UpdateLayer | RemoveLayer
