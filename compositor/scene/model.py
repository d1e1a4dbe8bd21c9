"""The scene model: plain, immutable data and pure helpers.

A :class:`Scene` is what is on air: a canvas and a tuple of :class:`Layer` in *creation order*.
Draw order is by ``z`` (low first) with ties broken by creation order (:func:`draw_order`).
Everything here is frozen; a change produces a new value (``replace``, re-exported from
``msgspec.structs``: the classes are frozen ``msgspec.Struct``, whose constructor runs at C speed,
so decoding 256 layers needs no shortcuts). This module imports nothing of ours.

Units are in the names: ``*_px`` canvas pixels, ``*_deg`` degrees clockwise, fractions are 0..1.
Colours are straight (not premultiplied) sRGB RGBA bytes.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal, TypeAlias

from msgspec import Struct, field
from msgspec.structs import replace

__all__ = [
    "ALIGNS",
    "AddLayer",
    "AudioContent",
    "ClipContent",
    "ON_ENDS",
    "OnEnd",
    "VideoContent",
    "ANIMATABLE_PROPERTIES",
    "Animate",
    "EFFECTS",
    "Effect",
    "Keyframe",
    "KeyframeAnimation",
    "LOOPS",
    "Loop",
    "Phase",
    "Transition",
    "Tween",
    "Value",
    "BLENDS",
    "BUILTIN_FONT_NAMES",
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
    "layer_assets",
    "scene_assets",
    "find_layer",
    "replace",
]

Kind = Literal["color", "image", "text", "video", "audio"]
Blend = Literal["normal", "add", "multiply", "screen"]
Align = Literal["left", "center", "right"]
KINDS: tuple[Kind, ...] = ("color", "image", "text", "video", "audio")
OnEnd = Literal["hold", "hide"]
ON_ENDS: tuple[OnEnd, ...] = ("hold", "hide")
BLENDS: tuple[Blend, ...] = ("normal", "add", "multiply", "screen")
ALIGNS: tuple[Align, ...] = ("left", "center", "right")
BUILTIN_FONT_NAMES: tuple[str, ...] = ("sans", "sans-bold", "serif", "mono")
"""Fonts every text layer may name without uploading one (the renderer maps them to files)."""
Effect = Literal[
    "fade", "slide-left", "slide-right", "slide-up", "slide-down", "wipe-left", "wipe-right",
    "scale",
]
EFFECTS: tuple[Effect, ...] = (
    "fade", "slide-left", "slide-right", "slide-up", "slide-down", "wipe-left", "wipe-right",
    "scale",
)
Loop = Literal["once", "loop", "pingpong"]
LOOPS: tuple[Loop, ...] = ("once", "loop", "pingpong")
ANIMATABLE_PROPERTIES: tuple[str, ...] = (
    "transform.x",
    "transform.y",
    "transform.width",
    "transform.height",
    "transform.anchor_x",
    "transform.anchor_y",
    "transform.scale_x",
    "transform.scale_y",
    "transform.rotation_deg",
    "crop.left",
    "crop.top",
    "crop.right",
    "crop.bottom",
    "opacity",
    "content.color",
    "content.volume",
)
"""Properties that tweens and keyframes move, named as in the layer JSON. ``content.color`` is
for colour layers only, ``content.volume`` for video and audio layers only (a tween of it is a
fade of the layer's sound); all but ``content.color`` are numbers."""


class Color(Struct, frozen=True):
    """An sRGB colour with straight alpha, each channel 0..255."""

    r: int
    g: int
    b: int
    a: int = 255

    def to_floats(self) -> tuple[float, float, float, float]:
        """Channels as floats in 0..1 (still sRGB-encoded, straight alpha)."""
        return (self.r / 255.0, self.g / 255.0, self.b / 255.0, self.a / 255.0)


class ColorContent(Struct, frozen=True):
    color: Color


class ImageContent(Struct, frozen=True):
    """An image drawn from an uploaded asset (never a path or URL)."""

    asset: str


class TextContent(Struct, frozen=True):
    text: str
    font: str = "sans"
    size_px: float = 48.0
    color: Color = Color(255, 255, 255, 255)
    align: Align = "left"
    max_width_px: float | None = None


class VideoContent(Struct, frozen=True):
    """A clip (``asset``) or a live input (``input``): exactly one of the two is set.

    Clip playback is a pure function of the house-clock frame: the frame ``start_frame`` shows
    media time ``in_s``; the clip plays to ``out_s`` (None: its end), then loops (``loop``) or
    holds its last frame or hides (``on_end``). ``start_frame`` None means "the frame the commit
    lands on" (``apply_ops`` resolves it). ``volume`` is a linear gain 0..2 into the program
    audio; ``muted`` silences the layer without changing it.
    """

    asset: str | None = None
    input: str | None = None
    loop: bool = False
    start_frame: int | None = None
    in_s: float = 0.0
    out_s: float | None = None
    on_end: OnEnd = "hold"
    volume: float = 1.0
    muted: bool = False


class AudioContent(Struct, frozen=True):
    """Sound only (a music bed, a jingle): the clip fields of :class:`VideoContent`, drawing
    nothing. After its end without ``loop``, ``hold`` and ``hide`` are both silence."""

    asset: str
    loop: bool = False
    start_frame: int | None = None
    in_s: float = 0.0
    out_s: float | None = None
    on_end: OnEnd = "hold"
    volume: float = 1.0
    muted: bool = False


ClipContent: TypeAlias = VideoContent | AudioContent
Content: TypeAlias = ColorContent | ImageContent | TextContent | VideoContent | AudioContent
Value: TypeAlias = float | Color
"""The value of an animatable property: a number, or a colour for ``content.color``."""


class Transform(Struct, frozen=True):
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


class Crop(Struct, frozen=True):
    """Fractions of the source cut away from each edge (left + right < 1, top + bottom < 1)."""

    left: float = 0.0
    top: float = 0.0
    right: float = 0.0
    bottom: float = 0.0


# --- animation: what clients set (see docs/animation.md) -----------------------------------------
# Frame numbers named ``*_frame`` are absolute on the house clock (frame F is F / fps seconds after
# the Unix epoch); ``*_frames`` are counts of frames.


class Animate(Struct, frozen=True):
    """How an op's changes reach the screen: over ``duration_frames``, starting ``delay_frames``
    after the commit's frame. ``easing`` is a canonical easing name (see
    compositor.scene.animation.easing)."""

    duration_frames: int
    easing: str = "linear"
    delay_frames: int = 0


class Transition(Struct, frozen=True):
    """An enter or exit effect of a layer."""

    effect: Effect
    duration_frames: int
    easing: str = "linear"


class Keyframe(Struct, frozen=True):
    """A value at ``frame`` (counted from the animation's start); ``easing`` shapes the segment
    that arrives at this keyframe from the previous one."""

    frame: int
    value: Value
    easing: str = "linear"


class KeyframeAnimation(Struct, frozen=True):
    """Keyframes for one property. ``start_frame`` is absolute; None means "on_commit", not yet
    resolved (apply_ops resolves it to the commit's frame; evaluation reads it as frame 0)."""

    property: str
    keyframes: tuple[Keyframe, ...]
    loop: Loop = "once"
    start_frame: int | None = None


# --- animation: runtime state the server keeps (clients may omit it) -----------------------------


class Tween(Struct, frozen=True):
    """A property moving from ``from_value`` (what was on air) to ``to_value`` (the layer's own
    value) over frames ``start_frame`` .. ``start_frame + duration_frames``."""

    property: str
    from_value: Value
    to_value: Value
    start_frame: int
    duration_frames: int
    easing: str = "linear"


class Phase(Struct, frozen=True):
    """A transition playing from the absolute frame ``start_frame`` on."""

    transition: Transition
    start_frame: int


class Layer(Struct, frozen=True):
    """One layer. The fields after ``z`` are animation: ``enter``/``exit``/``animations`` are set
    by clients; ``tweens``/``entering``/``leaving`` are runtime state managed by ``apply_ops``."""

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
    enter: Transition | None = None
    exit: Transition | None = None
    animations: tuple[KeyframeAnimation, ...] = ()
    tweens: tuple[Tween, ...] = ()
    entering: Phase | None = None
    leaving: Phase | None = None


class Scene(Struct, frozen=True):
    """The whole program: canvas, background and layers in creation order.

    ``exiting`` holds removed layers still playing their exit (runtime state, not listed as
    layers; drawn by ``compositor.scene.animation.evaluate`` until their exit ends).
    """

    version: int = 0
    width: int = 1920
    height: int = 1080
    fps: Fraction = Fraction(60)
    background: Color = Color(0, 0, 0, 255)
    layers: tuple[Layer, ...] = ()
    exiting: tuple[Layer, ...] = ()

    def with_layers(self, layers: tuple[Layer, ...], *, bump: bool = True) -> Scene:
        """A copy with other layers, the version incremented unless ``bump`` is false."""
        return replace(self, layers=layers, version=self.version + 1 if bump else self.version)


def draw_order(scene: Scene) -> tuple[Layer, ...]:
    """Layers low ``z`` first; ties keep creation order (``sorted`` is stable)."""
    return tuple(sorted(scene.layers, key=lambda layer: layer.z))


def layer_assets(layer: Layer) -> tuple[str, ...]:
    """The asset ids ``layer`` draws: its image or clip, or its font when that is not a builtin
    one."""
    content = layer.content
    if isinstance(content, (ImageContent, AudioContent)):
        return (content.asset,)
    if isinstance(content, VideoContent):
        return () if content.asset is None else (content.asset,)
    if isinstance(content, TextContent) and content.font not in BUILTIN_FONT_NAMES:
        return (content.font,)
    return ()


def scene_assets(scene: Scene) -> frozenset[str]:
    """Every asset id the scene draws, its exiting layers' included (they are still on air)."""
    return frozenset(a for layer in (*scene.layers, *scene.exiting) for a in layer_assets(layer))


def find_layer(scene: Scene, layer_id: str) -> Layer | None:
    """The layer with that id, or None."""
    for layer in scene.layers:
        if layer.id == layer_id:
            return layer
    return None


# --- ops: the three changes a commit is made of -------------------------------------------------


class AddLayer(Struct, frozen=True):
    """Append a layer (it is created last, so it wins ``z`` ties)."""

    layer: Layer
    animate: Animate | None = None


class UpdateLayer(Struct, frozen=True):
    """Apply a JSON merge patch (RFC 7396) to the JSON form of one layer.

    ``patch`` is plain JSON data; it is validated when applied, against the layer it patches.
    """

    id: str
    patch: dict[str, object]
    animate: Animate | None = None


class RemoveLayer(Struct, frozen=True):
    id: str
    animate: Animate | None = None


Op: TypeAlias = AddLayer | UpdateLayer | RemoveLayer
