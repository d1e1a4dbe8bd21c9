"""Values of animatable properties at a frame, and the timing of what runs. Pure.

A property's value is, in order of precedence: its keyframe animation, else its tween, else the
layer's own value (:func:`property_value`). Frames are absolute on the house clock. Both
evaluation (``compositor.scene.animation``) and commit-time bookkeeping
(``compositor.scene.animation.landing``) read
values through this module.

This module imports nothing of ours but the scene model and the easing curves.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from msgspec.structs import replace

from compositor.scene import (
    AudioContent,
    Color,
    ColorContent,
    KeyframeAnimation,
    Layer,
    Phase,
    Tween,
    Value,
    VideoContent,
)
from compositor.scene.animation.easing import easing

__all__ = [
    "VOLUME",
    "base_value",
    "has_property",
    "layer_values",
    "phase_end",
    "progress",
    "property_value",
    "with_values",
]


_TRANSFORM: dict[str, str] = {
    "transform.x": "x_px",
    "transform.y": "y_px",
    "transform.width": "width_px",
    "transform.height": "height_px",
    "transform.anchor_x": "anchor_x",
    "transform.anchor_y": "anchor_y",
    "transform.scale_x": "scale_x",
    "transform.scale_y": "scale_y",
    "transform.rotation_deg": "rotation_deg",
}
_CROP: dict[str, str] = {f"crop.{side}": side for side in ("left", "top", "right", "bottom")}
VOLUME = "content.volume"
"""A video or audio layer's gain 0..2: a tween or keyframes of it fade the layer's sound."""


def base_value(layer: Layer, prop: str) -> Value | None:
    """The layer's own value of an animatable property (None: natural size, or a property the
    layer's kind does not have: ``content.color`` of a non-colour layer, ``content.volume`` of a
    layer that is not video or audio)."""
    if prop in _TRANSFORM:
        value: Value | None = getattr(layer.transform, _TRANSFORM[prop])
        return value
    if prop in _CROP:
        return float(getattr(layer.crop, _CROP[prop]))
    if prop == "opacity":
        return layer.opacity
    content = layer.content
    if prop == VOLUME:
        return content.volume if isinstance(content, VideoContent | AudioContent) else None
    return content.color if isinstance(content, ColorContent) else None


def has_property(layer: Layer, prop: str) -> bool:
    """Whether ``layer``'s kind has ``prop`` (``content.color``: colour layers; ``content.volume``:
    video and audio layers; the others: every layer)."""
    if prop == "content.color":
        return isinstance(layer.content, ColorContent)
    if prop == VOLUME:
        return isinstance(layer.content, VideoContent | AudioContent)
    return True


def progress(frame: int, start: int, duration: int) -> float:
    """Linear progress in 0..1 of something running ``duration`` frames from ``start``."""
    if frame <= start:
        return 1.0 if duration <= 0 and frame == start else 0.0
    if frame >= start + duration:
        return 1.0
    return (frame - start) / duration


def _mix(a: Value, b: Value, eased: float) -> Value:
    """``a`` moved ``eased`` of the way to ``b``; colours per channel in sRGB bytes, rounded."""
    if isinstance(a, Color) and isinstance(b, Color):
        def channel(x: int, y: int) -> int:
            return min(255, max(0, math.floor(x + (y - x) * eased + 0.5)))

        return Color(channel(a.r, b.r), channel(a.g, b.g), channel(a.b, b.b), channel(a.a, b.a))
    assert isinstance(a, float | int) and isinstance(b, float | int)
    return a + (b - a) * eased


def _eased(start: Value, end: Value, name: str, t: float) -> Value:
    # The ends are returned as they are: a + (b - a) * 1.0 need not be exactly b in floats.
    if t <= 0.0:
        return start
    if t >= 1.0:
        return end
    return _mix(start, end, easing(name)(t))


def _keyframe_value(animation: KeyframeAnimation, frame: int) -> Value:
    keyframes = animation.keyframes
    last = keyframes[-1].frame
    local = frame - (animation.start_frame or 0)  # an unresolved "on_commit" counts as frame 0
    if animation.loop != "once" and last > 0 and local > 0:
        if animation.loop == "loop":
            local %= last
        else:
            local %= 2 * last
            local = 2 * last - local if local > last else local
    if local <= keyframes[0].frame:
        return keyframes[0].value
    if local >= last:
        return keyframes[-1].value
    i = bisect.bisect_right(keyframes, local, key=lambda k: k.frame)
    a, b = keyframes[i - 1], keyframes[i]
    return _eased(a.value, b.value, b.easing, (local - a.frame) / (b.frame - a.frame))


def _tween_values(tweens: tuple[Tween, ...], frame: int) -> dict[str, Value]:
    """Per property: the latest tween that has started, else the first one still waiting."""
    current: dict[str, Tween] = {}
    waiting: dict[str, Tween] = {}
    for tween in tweens:
        if tween.start_frame <= frame:
            seen = current.get(tween.property)
            if seen is None or tween.start_frame >= seen.start_frame:
                current[tween.property] = tween
        else:
            seen = waiting.get(tween.property)
            if seen is None or tween.start_frame < seen.start_frame:
                waiting[tween.property] = tween
    values = {
        prop: _eased(
            tw.from_value, tw.to_value, tw.easing,
            progress(frame, tw.start_frame, tw.duration_frames),
        )
        for prop, tw in current.items()
    }
    for prop, tw in waiting.items():
        values.setdefault(prop, tw.from_value)
    return values


def layer_values(layer: Layer, frame: int) -> dict[str, Value]:
    """The animated properties of ``layer`` at ``frame`` (keyframes over tweens); others absent."""
    values = _tween_values(layer.tweens, frame) if layer.tweens else {}
    for animation in layer.animations:
        values[animation.property] = _keyframe_value(animation, frame)
    return values


def property_value(layer: Layer, prop: str, frame: int) -> Value | None:
    """The value of ``prop`` at ``frame`` before enter/exit effects: keyframes, tween or own."""
    for animation in layer.animations:
        if animation.property == prop:
            return _keyframe_value(animation, frame)
    return _tween_values(layer.tweens, frame).get(prop, base_value(layer, prop))


def with_values(layer: Layer, values: dict[str, Value]) -> Layer | None:
    """``layer`` with property values set (clamped to what the scene allows: opacity and crop
    0..1, volume 0..2); None when the crop leaves nothing to draw. A value of a property the
    layer's kind does not have is ignored."""
    transform: dict[str, Any] = {}
    crop: dict[str, float] = {}
    changes: dict[str, Any] = {}
    for prop, value in values.items():
        if value == base_value(layer, prop):
            continue
        if isinstance(value, Color):
            changes["content"] = ColorContent(value)
        elif prop == VOLUME:
            if isinstance(layer.content, VideoContent | AudioContent):
                changes["content"] = replace(layer.content, volume=min(2.0, max(0.0, value)))
        elif prop in _TRANSFORM:
            attr = _TRANSFORM[prop]
            transform[attr] = max(0.0, value) if attr in ("width_px", "height_px") else value
        elif prop in _CROP:
            crop[_CROP[prop]] = min(1.0, max(0.0, value))
        else:
            changes["opacity"] = min(1.0, max(0.0, value))
    if crop:
        new_crop = replace(layer.crop, **crop)
        if new_crop.left + new_crop.right >= 1.0 or new_crop.top + new_crop.bottom >= 1.0:
            return None
        changes["crop"] = new_crop
    if transform:
        changes["transform"] = replace(layer.transform, **transform)
    return replace(layer, **changes) if changes else layer


def phase_end(phase: Phase) -> int:
    """The absolute frame at which an enter or exit phase has finished."""
    return phase.start_frame + phase.transition.duration_frames

