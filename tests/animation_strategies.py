"""Hypothesis strategies for animation (tweens, keyframes, enter/exit transitions): every value
they generate is valid. Hook them into ``tests.strategies``' ``layers()``/``scenes()`` through
``extra=animated``."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import strategies as st

from compositor.scene import (
    ANIMATABLE_PROPERTIES,
    EFFECTS,
    LOOPS,
    Animate,
    Keyframe,
    KeyframeAnimation,
    Layer,
    Phase,
    Scene,
    Transition,
    Tween,
)
from compositor.scene.animation.easing import EASINGS
from compositor.scene.codec import DEFAULT_LIMITS, property_range
from tests.strategies import colors, finite_floats, layers, scenes

__all__ = [
    "animated",
    "animated_scenes",
    "animates",
    "easing_names",
    "kind_properties",
    "keyframe_animations",
    "properties",
    "property_values",
    "transitions",
    "tweens",
]

# Mostly short and near frame 0, so that tests probing frames 0..300 meet starts and ends.
_FRAMES = (st.integers(0, 30) | st.integers(0, 10_000)
           | st.integers(0, DEFAULT_LIMITS.max_duration_frames))
_ABSOLUTE_FRAMES = st.integers(0, 200) | st.integers(0, DEFAULT_LIMITS.max_frame)


def easing_names() -> st.SearchStrategy[str]:
    """Canonical easing names, as the codec stores them (Penner, CSS keywords, cubic-bezier)."""
    unit = st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0.0, 1.0)
    any_y = st.sampled_from([0.0, 1.0, -0.55, 1.55]) | st.floats(-100.0, 100.0)

    def bezier(points: tuple[float, float, float, float]) -> str:
        texts = [repr(v)[:-2] if repr(v).endswith(".0") else repr(v) for v in points]
        return "cubic-bezier(" + ",".join(texts) + ")"

    return st.one_of(
        st.sampled_from(EASINGS),
        st.sampled_from(("ease", "ease-in", "ease-out", "ease-in-out")),
        st.tuples(unit, any_y, unit, any_y).map(bezier),
    )


def property_values(prop: str) -> st.SearchStrategy[Any]:
    """Valid values of an animatable property: a Color for content.color, else a number."""
    if prop == "content.color":
        return colors()
    return finite_floats(*property_range(prop))


def properties(kind: str) -> st.SearchStrategy[str]:
    """The properties a layer of ``kind`` may animate."""
    return st.sampled_from(kind_properties(kind))


def kind_properties(kind: str) -> list[str]:
    """``content.color`` for colour layers only, ``content.volume`` for video and audio only."""
    return [p for p in ANIMATABLE_PROPERTIES
            if (kind == "color" or p != "content.color")
            and (kind in ("video", "audio") or p != "content.volume")]


def transitions() -> st.SearchStrategy[Transition]:
    return st.builds(
        Transition, effect=st.sampled_from(EFFECTS), duration_frames=_FRAMES,
        easing=easing_names(),
    )


def animates() -> st.SearchStrategy[Animate]:
    return st.builds(
        Animate, duration_frames=_FRAMES, easing=easing_names(), delay_frames=_FRAMES
    )


@st.composite
def keyframe_animations(draw: st.DrawFn, prop: str) -> KeyframeAnimation:
    frames = sorted(draw(st.sets(_FRAMES, min_size=1, max_size=6)))
    keyframes = tuple(
        Keyframe(frame, draw(property_values(prop)), draw(easing_names())) for frame in frames
    )
    return KeyframeAnimation(
        property=prop,
        keyframes=keyframes,
        loop=draw(st.sampled_from(LOOPS)),
        start_frame=draw(st.none() | _ABSOLUTE_FRAMES),
    )


@st.composite
def tweens(draw: st.DrawFn, kind: str) -> Tween:
    prop = draw(properties(kind))
    return Tween(
        property=prop,
        from_value=draw(property_values(prop)),
        to_value=draw(property_values(prop)),
        start_frame=draw(_ABSOLUTE_FRAMES),
        duration_frames=draw(_FRAMES),
        easing=draw(easing_names()),
    )


def animated(draw: st.DrawFn, layer: Layer) -> Layer:
    """A :data:`LayerExtra` adding animation fields (client-set and runtime) to a layer."""
    if draw(st.integers(0, 3)) == 0:
        return layer  # plenty of layers without animation, as in real scenes
    props = draw(st.lists(properties(layer.kind), unique=True, max_size=3))
    phase = st.builds(Phase, transitions(), _ABSOLUTE_FRAMES)
    return msgspec.structs.replace(
        layer,
        enter=draw(st.none() | transitions()),
        exit=draw(st.none() | transitions()),
        animations=tuple(draw(keyframe_animations(p)) for p in props),
        tweens=tuple(draw(st.lists(tweens(layer.kind), max_size=3))),
        entering=draw(st.none() | phase),
        leaving=draw(st.none() | phase),
    )


@st.composite
def animated_scenes(draw: st.DrawFn, max_layers: int = 6) -> Scene:
    """Scenes whose layers carry animation fields, with some removed layers still exiting."""
    scene = draw(scenes(max_layers=max_layers, extra=animated))
    taken = {layer.id for layer in scene.layers}
    exiting = draw(
        st.lists(
            layers(extra=animated).filter(lambda layer: layer.id not in taken),
            max_size=2,
            unique_by=lambda layer: layer.id,
        )
    )
    return Scene(
        version=scene.version, width=scene.width, height=scene.height, fps=scene.fps,
        background=scene.background, layers=scene.layers, exiting=tuple(exiting),
    )
