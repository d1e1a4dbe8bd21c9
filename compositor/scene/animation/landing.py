"""The bookkeeping a commit does when it lands on a frame. Pure.

When a commit lands on a known frame, :func:`compositor.scene.ops.apply_ops` calls :func:`land_add`,
:func:`land_update` and :func:`land_remove` for its ops and :func:`prune` for the whole scene: they
record tweens and transition phases with absolute start frames, resolve ``"on_commit"`` starts
and clips' null ``start_frame`` (``compositor.scene.animation.clips``), and drop what has
finished, so scenes do not grow. :func:`land_scene` puts a whole scene file on
air. ``compositor.scene.animation`` re-exports all of them.

This module imports nothing of ours but the scene model, ``compositor.scene.animation.values``
and ``compositor.scene.animation.clips``.
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from compositor.scene import (
    ANIMATABLE_PROPERTIES,
    Animate,
    Layer,
    Phase,
    Scene,
    Transition,
    Tween,
)
from compositor.scene.animation.clips import land_clip, land_clip_update
from compositor.scene.animation.values import (
    base_value,
    has_property,
    phase_end,
    property_value,
)

__all__ = ["land_add", "land_remove", "land_scene", "land_update", "prune"]


# --- when a commit lands (called by compositor.scene.ops.apply_ops) -------------------------------
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
    """A layer as added by a commit at ``frame``: fresh runtime state, "on_commit" resolved, a
    clip's null ``start_frame`` set to ``frame``, and its enter (or, with ``animate``, a fade)
    starting at ``frame + delay_frames``."""
    if layer.tweens or layer.entering is not None or layer.leaving is not None:
        layer = replace(layer, tweens=(), entering=None, leaving=None)
    layer = land_clip(_resolve_starts(layer, frame), frame)
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
    null (natural size) are always instant. Hiding plays the exit, showing the enter. A clip
    that the patch restarts plays from ``frame`` (:func:`~compositor.scene.animation.clips.
    land_clip_update`).
    """
    tweens = [t for t in old.tweens if has_property(new, t.property)]
    new = land_clip_update(old, _resolve_starts(new, frame), frame)
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
    return layer if leaving is not None and frame < phase_end(leaving) else None


def land_scene(scene: Scene, frame: int | None) -> Scene:
    """A whole scene put on air at ``frame`` as if every layer were just added (each plays its
    enter; "on_commit" starts and clips' null ``start_frame`` resolve to ``frame``): for loading
    a scene file, offline or live."""
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
    if layer.entering is not None and frame >= phase_end(layer.entering):
        changes["entering"] = None
    if layer.leaving is not None and not layer.visible and frame >= phase_end(layer.leaving):
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
        if layer.leaving is not None and frame < phase_end(layer.leaving)
    )
    same_layers = all(a is b for a, b in zip(layers, scene.layers))
    if same_layers and len(exiting) == len(scene.exiting) and all(
        a is b for a, b in zip(exiting, scene.exiting)
    ):
        return scene
    return replace(scene, layers=layers, exiting=exiting)
