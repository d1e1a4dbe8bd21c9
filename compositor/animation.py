"""Animation: a scene evaluated at a frame, and the bookkeeping a commit does. Pure.

Frame numbers are absolute on the house clock (frame F is F / fps seconds after the Unix epoch),
so what is on air is a pure function of ``(scene, frame)``: live output, offline render and a
restarted service all agree.

Per frame the pipeline calls :func:`evaluate` (a static scene: every animated property at its value
for that frame, enter/exit effects folded into transform, crop and opacity, layers that show
nothing left out, exiting layers drawn) and :func:`is_animating` (may the next frame differ?).
A property's value is, in order of precedence: its keyframe animation, else its tween, else the
layer's own value; enter and exit effects then apply on top.

When a commit lands on a known frame, :func:`compositor.ops.apply_ops` calls :func:`land_add`,
:func:`land_update` and :func:`land_remove` for its ops and :func:`prune` for the whole scene: they
record tweens and transition phases with absolute start frames, resolve ``"on_commit"`` starts,
and drop what has finished, so scenes do not grow.

This module imports nothing of ours but the scene model, the errors and the easing curves.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from compositor.easing import easing
from compositor.scene import (
    ANIMATABLE_PROPERTIES,
    Animate,
    Color,
    ColorContent,
    KeyframeAnimation,
    Layer,
    Phase,
    Scene,
    Transition,
    Tween,
    Value,
)

__all__ = [
    "NaturalSize",
    "base_value",
    "evaluate",
    "evaluate_with_sizes",
    "is_animating",
    "land_add",
    "land_remove",
    "land_scene",
    "land_update",
    "property_value",
    "prune",
]

NaturalSize = Callable[[Layer], tuple[float, float] | None]
"""The uncropped size in px of a layer's content (image or rasterised text), None if unknown."""

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
_TINY = 1e-9  # a wipe this far from its start shows nothing yet


# --- values of properties ------------------------------------------------------------------------


def base_value(layer: Layer, prop: str) -> Value | None:
    """The layer's own value of an animatable property (None: natural size, or not a colour)."""
    if prop in _TRANSFORM:
        value: Value | None = getattr(layer.transform, _TRANSFORM[prop])
        return value
    if prop in _CROP:
        return float(getattr(layer.crop, _CROP[prop]))
    if prop == "opacity":
        return layer.opacity
    return layer.content.color if isinstance(layer.content, ColorContent) else None


def _progress(frame: int, start: int, duration: int) -> float:
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
            _progress(frame, tw.start_frame, tw.duration_frames),
        )
        for prop, tw in current.items()
    }
    for prop, tw in waiting.items():
        values.setdefault(prop, tw.from_value)
    return values


def _values(layer: Layer, frame: int) -> dict[str, Value]:
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


def _with_values(layer: Layer, values: dict[str, Value]) -> Layer | None:
    """``layer`` with property values set (clamped to what the scene allows); None when the crop
    leaves nothing to draw."""
    transform: dict[str, Any] = {}
    crop: dict[str, float] = {}
    changes: dict[str, Any] = {}
    for prop, value in values.items():
        if value == base_value(layer, prop):
            continue
        if isinstance(value, Color):
            changes["content"] = ColorContent(value)
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


# --- enter and exit effects ----------------------------------------------------------------------


def _phase_end(phase: Phase) -> int:
    return phase.start_frame + phase.transition.duration_frames


def _apply_phase(
    layer: Layer, phase: Phase, frame: int, entering: bool, scene: Scene, sizes: NaturalSize | None
) -> Layer | None:
    """The layer with an enter (``entering``) or exit effect at ``frame``; None: nothing shows.

    Visual progress p is ``ease(t)`` for an enter and ``1 - ease(t)`` for an exit (t linear in
    0..1), so an exit's easing shapes its motion just as an enter's does.
    """
    transition = phase.transition
    t = _progress(frame, phase.start_frame, transition.duration_frames)
    eased = t if t <= 0.0 or t >= 1.0 else easing(transition.easing)(t)
    p = eased if entering else 1.0 - eased
    if p <= 0.0:
        return None
    if p == 1.0:
        return layer
    effect = transition.effect
    if effect == "fade":
        return replace(layer, opacity=layer.opacity * min(p, 1.0))
    if effect == "scale":
        tf = layer.transform
        return replace(layer, transform=replace(tf, scale_x=tf.scale_x * p, scale_y=tf.scale_y * p))
    if effect in ("wipe-left", "wipe-right"):
        return _wipe(layer, min(p, 1.0), from_left=effect == "wipe-left")
    dx, dy = _slide_offset(layer, effect, scene, sizes)
    tf = layer.transform
    return replace(
        layer, transform=replace(tf, x_px=tf.x_px + dx * (1 - p), y_px=tf.y_px + dy * (1 - p))
    )


def _wipe(layer: Layer, p: float, *, from_left: bool) -> Layer | None:
    """Show the fraction ``p`` of the layer box from its left (or right) edge, content in place.

    The crop cuts the hidden part away; the box shrinks with it, and the anchor moves so that the
    kept edge stays where it was (the anchor may leave 0..1 for that, which the maths allows).
    """
    if p < _TINY:
        return None
    crop, tf = layer.crop, layer.transform
    hidden = (1.0 - crop.left - crop.right) * (1.0 - p)
    if from_left:
        new_crop = replace(crop, right=crop.right + hidden)
        anchor_x = tf.anchor_x / p
    else:
        new_crop = replace(crop, left=crop.left + hidden)
        anchor_x = 1.0 - (1.0 - tf.anchor_x) / p
    width = None if tf.width_px is None else tf.width_px * p
    return replace(
        layer, crop=new_crop, transform=replace(tf, width_px=width, anchor_x=anchor_x)
    )


def _slide_offset(
    layer: Layer, effect: str, scene: Scene, sizes: NaturalSize | None
) -> tuple[float, float]:
    """How far to move the layer so that its on-canvas bounding box is fully off that side."""
    tf, crop = layer.transform, layer.crop
    natural = sizes(layer) if sizes is not None else None
    # Unknown natural size: assume the canvas size, enough for content no larger than the canvas.
    source_w, source_h = natural if natural is not None else (scene.width, scene.height)
    w = tf.width_px if tf.width_px is not None else source_w * (1.0 - crop.left - crop.right)
    h = tf.height_px if tf.height_px is not None else source_h * (1.0 - crop.top - crop.bottom)
    theta = math.radians(tf.rotation_deg)
    cos, sin = math.cos(theta), math.sin(theta)
    xs, ys = [], []
    for u, v in ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)):
        lx = (u - tf.anchor_x) * w * tf.scale_x
        ly = (v - tf.anchor_y) * h * tf.scale_y
        xs.append(tf.x_px + lx * cos - ly * sin)
        ys.append(tf.y_px + lx * sin + ly * cos)
    if effect == "slide-left":
        return (min(0.0, -max(xs)), 0.0)
    if effect == "slide-right":
        return (max(0.0, scene.width - min(xs)), 0.0)
    if effect == "slide-up":
        return (0.0, min(0.0, -max(ys)))
    return (0.0, max(0.0, scene.height - min(ys)))


# --- per frame -----------------------------------------------------------------------------------


def _has_motion(layer: Layer) -> bool:
    return bool(layer.animations or layer.tweens or layer.entering or layer.leaving)


def _evaluate_layer(
    layer: Layer, frame: int, scene: Scene, sizes: NaturalSize | None
) -> Layer | None:
    leaving = layer.leaving
    leaving_live = leaving is not None and frame < _phase_end(leaving)
    if not layer.visible and not leaving_live:
        return layer  # hidden: drawn by no one, so left as it is
    values = _values(layer, frame)
    result = _with_values(layer, values) if values else layer
    if result is not None and not result.visible:
        result = replace(result, visible=True)  # hidden, but still playing its exit
    if result is not None and layer.entering is not None:
        result = _apply_phase(result, layer.entering, frame, True, scene, sizes)
    if result is not None and leaving is not None:
        result = _apply_phase(result, leaving, frame, False, scene, sizes)
    return result


def evaluate_with_sizes(scene: Scene, frame: int, natural_size: NaturalSize) -> Scene:
    """:func:`evaluate` with ``natural_size`` positional (the pipeline's ``evaluate_sized``)."""
    return evaluate(scene, frame, natural_size=natural_size)


def evaluate(scene: Scene, frame: int, *, natural_size: NaturalSize | None = None) -> Scene:
    """The static scene on air at absolute ``frame``.

    Every animated property takes its value at that frame; enter/exit effects become transform,
    crop and opacity changes; a layer that shows nothing at that frame is left out; exiting layers
    still playing their exit are drawn (placed first, so below live layers of the same z). When
    nothing is in motion the very same ``scene`` object is returned. Renderers draw the result's
    ``layers`` only. ``natural_size`` helps slides move content of unknown size fully off canvas.
    """
    out: list[Layer] | None = None
    for i, layer in enumerate(scene.layers):
        result = _evaluate_layer(layer, frame, scene, natural_size) if _has_motion(layer) else layer
        if result is layer:
            if out is not None:
                out.append(layer)
            continue
        if out is None:
            out = list(scene.layers[:i])
        if result is not None:
            out.append(result)
    exits: list[Layer] = []
    for layer in scene.exiting:
        if layer.leaving is not None and frame < _phase_end(layer.leaving):
            result = _evaluate_layer(layer, frame, scene, natural_size)
            if result is not None:
                exits.append(result)
    if out is None and not exits:
        return scene
    layers = tuple(out) if out is not None else scene.layers
    return replace(scene, layers=(*exits, *layers), exiting=())


def _window(frame: int, start: int, duration: int) -> bool:
    """Whether something running ``duration`` frames from ``start`` may look different at
    ``frame`` than at a neighbouring frame (it changes from start - 1 to start + duration)."""
    return start - 1 <= frame <= start + duration


def _animation_moves(animation: KeyframeAnimation, frame: int) -> bool:
    keyframes = animation.keyframes
    if len(keyframes) < 2:
        return False
    local = frame - (animation.start_frame or 0)
    if animation.loop != "once":
        return local >= keyframes[0].frame - 1
    return keyframes[0].frame - 1 <= local <= keyframes[-1].frame


def _layer_moves(layer: Layer, frame: int) -> bool:
    leaving = layer.leaving
    if leaving is not None and _window(
        frame, leaving.start_frame, leaving.transition.duration_frames
    ):
        return True
    if not layer.visible and not (leaving is not None and frame <= _phase_end(leaving)):
        return False
    entering = layer.entering
    if entering is not None and _window(
        frame, entering.start_frame, entering.transition.duration_frames
    ):
        return True
    return any(_window(frame, t.start_frame, t.duration_frames) for t in layer.tweens) or any(
        _animation_moves(a, frame) for a in layer.animations
    )


def is_animating(scene: Scene, frame: int) -> bool:
    """False only if ``evaluate`` draws the same at ``frame - 1``, ``frame`` and ``frame + 1``.

    So either reading of "may I reuse a frame?" is safe: frame + 1 may reuse frame, and frame may
    reuse frame - 1, whenever this is False (True may be conservative: one extra frame is drawn at
    each end of a change).
    """
    if any(_layer_moves(layer, frame) for layer in scene.layers if _has_motion(layer)):
        return True
    return any(
        layer.leaving is not None
        and frame <= _phase_end(layer.leaving)
        and _layer_moves(layer, frame)
        for layer in scene.exiting
    )


# --- when a commit lands (called by compositor.ops.apply_ops) ------------------------------------
# ``frame`` is the absolute frame the commit lands on; None means "no clock": changes are instant,
# nothing is recorded, and "on_commit" starts resolve to frame 0.


def _transition(configured: Transition | None, animate: Animate | None) -> Transition | None:
    """The op's ``animate`` times the layer's effect (a fade when it has none); else the layer's
    own transition."""
    if animate is None:
        return configured
    effect = configured.effect if configured is not None else "fade"
    return Transition(effect, animate.duration_frames, animate.easing)


def _resolve_starts(layer: Layer, frame: int | None) -> Layer:
    if all(a.start_frame is not None for a in layer.animations):
        return layer
    start = 0 if frame is None else frame
    animations = tuple(
        a if a.start_frame is not None else replace(a, start_frame=start) for a in layer.animations
    )
    return replace(layer, animations=animations)


def land_add(layer: Layer, frame: int | None, animate: Animate | None) -> Layer:
    """A layer as added by a commit at ``frame``: fresh runtime state, "on_commit" resolved, and
    its enter (or, with ``animate``, a fade) starting at ``frame + delay_frames``."""
    if layer.tweens or layer.entering is not None or layer.leaving is not None:
        layer = replace(layer, tweens=(), entering=None, leaving=None)
    layer = _resolve_starts(layer, frame)
    if frame is None or not layer.visible:
        return layer
    transition = _transition(layer.enter, animate)
    if transition is None:
        return layer
    delay = animate.delay_frames if animate is not None else 0
    return replace(layer, entering=Phase(transition, frame + delay))


def _changed(old: Layer, new: Layer, prop: str) -> bool:
    """Whether a commit changes what a property is made of: its own value, or its keyframes
    going away."""
    if base_value(old, prop) != base_value(new, prop):
        return True
    animated_old = any(a.property == prop for a in old.animations)
    return animated_old and not any(a.property == prop for a in new.animations)


def land_update(old: Layer, new: Layer, frame: int | None, animate: Animate | None) -> Layer:
    """``new`` (``old`` with a patch applied) as it lands at ``frame``.

    Runtime state is carried over from ``old``. Each changed property gets a tween from its value
    on air (``property_value(old, prop, start)``) to its new value when the op has ``animate``
    and the frame is known, else it changes at once (its tweens are dropped). Changes from or to
    null (natural size) are always instant. Hiding plays the exit, showing the enter.
    """
    colour = isinstance(new.content, ColorContent)
    tweens = [t for t in old.tweens if colour or t.property != "content.color"]
    new = _resolve_starts(new, frame)
    start = (frame or 0) + (animate.delay_frames if animate is not None else 0)
    for prop in ANIMATABLE_PROPERTIES:
        if not _changed(old, new, prop):
            continue
        on_air, target = property_value(old, prop, start), base_value(new, prop)
        if animate is None or frame is None or on_air is None or target is None:
            tweens = [t for t in tweens if t.property != prop]
            continue
        # Tweens of this property starting before this one still play until it starts.
        tweens = [t for t in tweens if t.property != prop or t.start_frame < start]
        tweens.append(
            Tween(prop, on_air, target, start, animate.duration_frames, animate.easing)
        )
    entering, leaving = old.entering, old.leaving
    if old.visible != new.visible:
        if frame is None:
            entering = leaving = None
        elif new.visible:
            transition = _transition(new.enter, animate)
            entering = None if transition is None else Phase(transition, start)
            leaving = None
        else:
            transition = _transition(new.exit, animate)
            leaving = None if transition is None else Phase(transition, start)
            entering = entering if transition is not None else None
    new = replace(new, tweens=tuple(tweens), entering=entering, leaving=leaving)
    return new if frame is None else _prune_layer(new, frame)


def land_remove(layer: Layer, frame: int | None, animate: Animate | None) -> Layer | None:
    """What stays on air of a removed layer: the layer playing its exit (or, with ``animate``, a
    fade) from ``frame + delay_frames``, to be kept in ``Scene.exiting``; None if it goes at once.
    A hidden layer still playing its exit keeps playing it."""
    if frame is None:
        return None
    if layer.visible:
        transition = _transition(layer.exit, animate)
        if transition is None:
            return None
        delay = animate.delay_frames if animate is not None else 0
        return replace(layer, leaving=Phase(transition, frame + delay))
    leaving = layer.leaving
    return layer if leaving is not None and frame < _phase_end(leaving) else None


def land_scene(scene: Scene, frame: int | None) -> Scene:
    """A whole scene put on air at ``frame`` as if every layer were just added (each plays its
    enter; "on_commit" starts resolve to ``frame``): for loading a scene file, offline or live."""
    layers = tuple(land_add(layer, frame, None) for layer in scene.layers)
    return replace(scene, layers=layers, exiting=())


def _prune_layer(layer: Layer, frame: int) -> Layer:
    """Drop what can no longer change anything from ``frame`` on."""
    changes: dict[str, Any] = {}
    if layer.tweens:
        current: dict[str, int] = {}
        for i, tween in enumerate(layer.tweens):
            seen = current.get(tween.property)
            if tween.start_frame <= frame and (
                seen is None or tween.start_frame >= layer.tweens[seen].start_frame
            ):
                current[tween.property] = i
        kept = tuple(
            tween
            for i, tween in enumerate(layer.tweens)
            if tween.start_frame > frame
            or (current[tween.property] == i and frame < tween.start_frame + tween.duration_frames)
        )
        if len(kept) != len(layer.tweens):
            changes["tweens"] = kept
    if layer.entering is not None and frame >= _phase_end(layer.entering):
        changes["entering"] = None
    if layer.leaving is not None and not layer.visible and frame >= _phase_end(layer.leaving):
        changes["leaving"] = None
    return replace(layer, **changes) if changes else layer


def prune(scene: Scene, frame: int) -> Scene:
    """``scene`` without finished tweens, transitions and exits as of ``frame`` (the frame a
    commit lands on; nothing before it will be drawn again). Unchanged layers stay the same
    objects, and the scene itself when nothing was pruned."""
    layers = tuple(_prune_layer(layer, frame) for layer in scene.layers)
    exiting = tuple(
        _prune_layer(layer, frame)
        for layer in scene.exiting
        if layer.leaving is not None and frame < _phase_end(layer.leaving)
    )
    same_layers = all(a is b for a, b in zip(layers, scene.layers))
    if same_layers and len(exiting) == len(scene.exiting) and all(
        a is b for a, b in zip(exiting, scene.exiting)
    ):
        return scene
    return replace(scene, layers=layers, exiting=exiting)
