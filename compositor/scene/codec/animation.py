"""The animation fields of the codec: ``animate`` on ops, and a layer's ``enter``, ``exit``,
``animations``, ``tweens``, ``entering`` and ``leaving`` (docs/animation.md).

They are encoded only when set, so a layer without animation encodes exactly as before.
``tweens``, ``entering`` and ``leaving`` are runtime state that ``apply_ops`` manages: they are
encoded so that the store keeps them, and decoding accepts them, but clients need not send them.
This module imports nothing of ours but the scene model, the errors, the (pure) easing names,
``fields`` and ``clip`` (which kinds have ``content.volume``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from compositor.errors import SceneValidationError
from compositor.scene import (
    ANIMATABLE_PROPERTIES,
    EFFECTS,
    Animate,
    Color,
    Keyframe,
    KeyframeAnimation,
    Layer,
    Phase,
    Transition,
    Tween,
    Value,
)
from compositor.scene.animation.easing import canonical_easing
from compositor.scene.codec.clip import CLIP_KINDS
from compositor.scene.codec.fields import (
    DEFAULT_LIMITS,
    Json,
    Limits,
    format_color,
    join_path,
    number_fields,
    parse_color,
    read_choice,
    read_integer,
    read_list,
    read_number,
    read_object,
)

__all__ = [
    "LAYER_ANIMATION_FIELDS",
    "RUNTIME_LAYER_FIELDS",
    "decode_animate",
    "decode_layer_animation",
    "encode_animate",
    "encode_layer_animation",
    "property_range",
]

LAYER_ANIMATION_FIELDS = frozenset(
    {"enter", "exit", "animations", "tweens", "entering", "leaving"}
)
RUNTIME_LAYER_FIELDS = ("tweens", "entering", "leaving")
"""Layer keys that only the server sets (compositor.scene.animation); patches cannot change them."""

# --- animation -----------------------------------------------------------------------------------

_ANIMATE_FIELDS = frozenset({"duration_frames", "easing", "delay_frames"})
_TRANSITION_FIELDS = frozenset({"effect", "duration_frames", "easing"})
_PHASE_FIELDS = _TRANSITION_FIELDS | {"start_frame"}
_ANIMATION_FIELDS = frozenset({"property", "keyframes", "loop", "start"})
_KEYFRAME_FIELDS = frozenset({"frame", "value", "easing"})
_TWEEN_FIELDS = frozenset(
    {"property", "from", "to", "start_frame", "duration_frames", "easing"}
)
_LOOP_JSON: dict[object, str] = {False: "once", True: "loop", "pingpong": "pingpong"}


def property_range(prop: str, limits: Limits = DEFAULT_LIMITS) -> tuple[float, float]:
    """The values a numeric animatable property may take, as the layer JSON allows them (from
    :func:`~compositor.scene.codec.fields.number_fields`)."""
    section, _, key = prop.rpartition(".")
    for name, _, lo, hi in number_fields(limits)[section]:
        if name == key:
            return (lo, hi)
    raise KeyError(prop)


def _easing(value: Json, path: str) -> str:
    return canonical_easing("linear" if value is None else value, path)


def _duration(value: Json, path: str, limits: Limits) -> int:
    return read_integer(value, path, 0, limits.max_duration_frames)


def decode_animate(value: Json, path: str, *, limits: Limits = DEFAULT_LIMITS) -> Animate:
    """An op's ``animate``: ``{"duration_frames": N, "easing": "...", "delay_frames": N}``."""
    obj = read_object(value, path, _ANIMATE_FIELDS)
    if "duration_frames" not in obj:
        raise SceneValidationError(join_path(path, "duration_frames"), "is required")
    return Animate(
        duration_frames=_duration(
            obj["duration_frames"], join_path(path, "duration_frames"), limits
        ),
        easing=_easing(obj.get("easing"), join_path(path, "easing")),
        delay_frames=_duration(obj.get("delay_frames", 0), join_path(path, "delay_frames"), limits),
    )


def encode_animate(animate: Animate) -> dict[str, Json]:
    return {
        "duration_frames": animate.duration_frames,
        "easing": animate.easing,
        "delay_frames": animate.delay_frames,
    }


def _decode_transition(
    value: Json, path: str, limits: Limits, fields: frozenset[str]
) -> Transition:
    obj = read_object(value, path, fields)
    for key in ("effect", "duration_frames"):
        if key not in obj:
            raise SceneValidationError(join_path(path, key), "is required")
    return Transition(
        effect=cast(Any, read_choice(obj["effect"], join_path(path, "effect"), EFFECTS)),
        duration_frames=_duration(
            obj["duration_frames"], join_path(path, "duration_frames"), limits
        ),
        easing=_easing(obj.get("easing"), join_path(path, "easing")),
    )


def _encode_transition(transition: Transition) -> dict[str, Json]:
    return {
        "effect": transition.effect,
        "duration_frames": transition.duration_frames,
        "easing": transition.easing,
    }


def _decode_phase(value: Json, path: str, limits: Limits) -> Phase:
    transition = _decode_transition(value, path, limits, _PHASE_FIELDS)
    if "start_frame" not in value:
        raise SceneValidationError(join_path(path, "start_frame"), "is required")
    start = read_integer(value["start_frame"], join_path(path, "start_frame"), 0, limits.max_frame)
    return Phase(transition, start)


def _encode_phase(phase: Phase) -> dict[str, Json]:
    return {**_encode_transition(phase.transition), "start_frame": phase.start_frame}


def _property(value: Json, path: str, kind: str) -> str:
    prop = read_choice(value, path, ANIMATABLE_PROPERTIES)
    if prop == "content.color" and kind != "color":
        raise SceneValidationError(path, "content.color can only be animated on a color layer")
    if prop == "content.volume" and kind not in CLIP_KINDS:
        raise SceneValidationError(
            path, "content.volume can only be animated on a video or audio layer")
    return prop


def _value(value: Json, path: str, prop: str, limits: Limits) -> Value:
    if prop == "content.color":
        return parse_color(value, path)
    return read_number(value, path, *property_range(prop, limits))


def _encode_value(value: Value) -> Json:
    return format_color(value) if isinstance(value, Color) else value


def _decode_keyframes(value: Json, path: str, prop: str, limits: Limits) -> tuple[Keyframe, ...]:
    keyframes: list[Keyframe] = []
    for i, item in enumerate(read_list(value, path, limits.max_keyframes, min_items=1)):
        item_path = f"{path}[{i}]"
        obj = read_object(item, item_path, _KEYFRAME_FIELDS)
        for key in ("frame", "value"):
            if key not in obj:
                raise SceneValidationError(join_path(item_path, key), "is required")
        frame = _duration(obj["frame"], join_path(item_path, "frame"), limits)
        if keyframes and frame <= keyframes[-1].frame:
            raise SceneValidationError(
                join_path(item_path, "frame"), "must be greater than the previous keyframe's frame"
            )
        keyframes.append(
            Keyframe(
                frame=frame,
                value=_value(obj["value"], join_path(item_path, "value"), prop, limits),
                easing=_easing(obj.get("easing"), join_path(item_path, "easing")),
            )
        )
    return tuple(keyframes)


def _decode_animation(value: Json, path: str, kind: str, limits: Limits) -> KeyframeAnimation:
    obj = read_object(value, path, _ANIMATION_FIELDS)
    for key in ("property", "keyframes"):
        if key not in obj:
            raise SceneValidationError(join_path(path, key), "is required")
    prop = _property(obj["property"], join_path(path, "property"), kind)
    loop = obj.get("loop", False)
    if isinstance(loop, bool) or loop == "pingpong":
        loop_mode = _LOOP_JSON[loop]
    else:
        raise SceneValidationError(join_path(path, "loop"), 'must be false, true or "pingpong"')
    start = obj.get("start", "on_commit")
    return KeyframeAnimation(
        property=prop,
        keyframes=_decode_keyframes(obj["keyframes"], join_path(path, "keyframes"), prop, limits),
        loop=cast(Any, loop_mode),
        start_frame=None
        if start == "on_commit"
        else read_integer(start, join_path(path, "start"), 0, limits.max_frame),
    )


def _encode_animation(animation: KeyframeAnimation) -> dict[str, Json]:
    loop = {"once": False, "loop": True, "pingpong": "pingpong"}[animation.loop]
    return {
        "property": animation.property,
        "keyframes": [
            {"frame": k.frame, "value": _encode_value(k.value), "easing": k.easing}
            for k in animation.keyframes
        ],
        "loop": loop,
        "start": "on_commit" if animation.start_frame is None else animation.start_frame,
    }


def _decode_tween(value: Json, path: str, kind: str, limits: Limits) -> Tween:
    obj = read_object(value, path, _TWEEN_FIELDS)
    for key in sorted(_TWEEN_FIELDS - {"easing"}):
        if key not in obj:
            raise SceneValidationError(join_path(path, key), "is required")
    prop = _property(obj["property"], join_path(path, "property"), kind)
    return Tween(
        property=prop,
        from_value=_value(obj["from"], join_path(path, "from"), prop, limits),
        to_value=_value(obj["to"], join_path(path, "to"), prop, limits),
        start_frame=read_integer(
            obj["start_frame"], join_path(path, "start_frame"), 0, limits.max_frame
        ),
        duration_frames=_duration(
            obj["duration_frames"], join_path(path, "duration_frames"), limits
        ),
        easing=_easing(obj.get("easing"), join_path(path, "easing")),
    )


def _encode_tween(tween: Tween) -> dict[str, Json]:
    return {
        "property": tween.property,
        "from": _encode_value(tween.from_value),
        "to": _encode_value(tween.to_value),
        "start_frame": tween.start_frame,
        "duration_frames": tween.duration_frames,
        "easing": tween.easing,
    }


def decode_layer_animation(
    obj: Mapping[str, Json], path: str, kind: str, limits: Limits
) -> dict[str, Any]:
    """The animation fields of a layer, as keyword arguments of :class:`Layer`."""
    fields: dict[str, Any] = {}
    for key in ("enter", "exit"):
        if obj.get(key) is not None:
            fields[key] = _decode_transition(
                obj[key], join_path(path, key), limits, _TRANSITION_FIELDS
            )
    for key in ("entering", "leaving"):
        if obj.get(key) is not None:
            fields[key] = _decode_phase(obj[key], join_path(path, key), limits)
    animations: list[KeyframeAnimation] = []
    items_path = join_path(path, "animations")
    items = read_list(obj.get("animations", []), items_path, limits.max_animations)
    for i, item in enumerate(items):
        animation = _decode_animation(item, f"{items_path}[{i}]", kind, limits)
        if any(a.property == animation.property for a in animations):
            raise SceneValidationError(
                f"{items_path}[{i}].property", f"{animation.property} is already animated"
            )
        animations.append(animation)
    fields["animations"] = tuple(animations)
    tweens_path = join_path(path, "tweens")
    fields["tweens"] = tuple(
        _decode_tween(item, f"{tweens_path}[{i}]", kind, limits)
        for i, item in enumerate(read_list(obj.get("tweens", []), tweens_path, limits.max_tweens))
    )
    return fields


def encode_layer_animation(layer: Layer) -> dict[str, Json]:
    value: dict[str, Json] = {}
    if layer.enter is not None:
        value["enter"] = _encode_transition(layer.enter)
    if layer.exit is not None:
        value["exit"] = _encode_transition(layer.exit)
    if layer.animations:
        value["animations"] = [_encode_animation(a) for a in layer.animations]
    if layer.tweens:
        value["tweens"] = [_encode_tween(t) for t in layer.tweens]
    if layer.entering is not None:
        value["entering"] = _encode_phase(layer.entering)
    if layer.leaving is not None:
        value["leaving"] = _encode_phase(layer.leaving)
    return value

