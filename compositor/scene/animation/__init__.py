"""Animation: a scene evaluated at a frame (and, re-exported, the bookkeeping a commit does). Pure.

Frame numbers are absolute on the house clock (frame F is F / fps seconds after the Unix epoch),
so what is on air is a pure function of ``(scene, frame)``: live output, offline render and a
restarted service all agree.

Per frame the pipeline calls :func:`evaluate` (a static scene: every animated property at its value
for that frame, enter/exit effects folded into transform, crop and opacity, layers that show
nothing left out, exiting layers drawn) and :func:`is_animating` (may the next frame differ?).
A property's value is, in order of precedence: its keyframe animation, else its tween, else the
layer's own value; enter and exit effects then apply on top.

The values of properties live in ``compositor.scene.animation.values`` and the bookkeeping of a
commit
landing on a frame (:func:`land_add`, :func:`land_update`, :func:`land_remove`, :func:`land_scene`,
:func:`prune`) in ``compositor.scene.animation.landing``, and when clips start (:func:`land_clips`)
in ``compositor.scene.animation.clips``; this module re-exports their public names.

This module imports nothing of ours but the scene model, the errors, the easing curves and those
modules.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from msgspec.structs import replace

from compositor.scene import KeyframeAnimation, Layer, Phase, Scene
from compositor.scene.animation.clips import land_clips
from compositor.scene.animation.easing import easing
from compositor.scene.animation.landing import land_add, land_remove, land_scene, land_update, prune
from compositor.scene.animation.values import (
    base_value,
    layer_values,
    phase_end,
    progress,
    property_value,
    with_values,
)

__all__ = [
    "NaturalSize",
    "base_value",
    "evaluate",
    "evaluate_with_sizes",
    "is_animating",
    "land_add",
    "land_clips",
    "land_remove",
    "land_scene",
    "land_update",
    "property_value",
    "prune",
]

NaturalSize = Callable[[Layer], tuple[float, float] | None]
"""The uncropped size in px of a layer's content (image or rasterised text), None if unknown."""
_TINY = 1e-9  # a wipe this far from its start shows nothing yet


# --- enter and exit effects ----------------------------------------------------------------------


def _apply_phase(
    layer: Layer, phase: Phase, frame: int, entering: bool, scene: Scene, sizes: NaturalSize | None
) -> Layer | None:
    """The layer with an enter (``entering``) or exit effect at ``frame``; None: nothing shows.

    Visual progress p is ``ease(t)`` for an enter and ``1 - ease(t)`` for an exit (t linear in
    0..1), so an exit's easing shapes its motion just as an enter's does.
    """
    transition = phase.transition
    t = progress(frame, phase.start_frame, transition.duration_frames)
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
    leaving_live = leaving is not None and frame < phase_end(leaving)
    if not layer.visible and not leaving_live:
        return layer  # hidden: drawn by no one, so left as it is
    values = layer_values(layer, frame)
    result = with_values(layer, values) if values else layer
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
        if layer.leaving is not None and frame < phase_end(layer.leaving):
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
    if not layer.visible and not (leaving is not None and frame <= phase_end(leaving)):
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
        and frame <= phase_end(layer.leaving)
        and _layer_moves(layer, frame)
        for layer in scene.exiting
    )

