"""Applying ops to a scene: pure, all or nothing.

:func:`apply_ops` returns a new scene with the version incremented by one, or raises a
:class:`~compositor.errors.SceneError` (with the path of the offending op) and changes nothing:
the input scene is immutable, so a failure can never leave a half-applied state.
:func:`land_clips` (from ``compositor.scene.animation.clips``) starts a scene's unstarted clips
on a frame (an offline render of a scene file).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from msgspec.structs import replace

from compositor.errors import DuplicateLayerError, LayerNotFoundError, SceneValidationError
from compositor.scene import AddLayer, Layer, Op, RemoveLayer, Scene, UpdateLayer
from compositor.scene.animation import land_add, land_clips, land_remove, land_update, prune
from compositor.scene.codec import (
    CLIP_ONLY_FIELDS,
    DEFAULT_LIMITS,
    RUNTIME_LAYER_FIELDS,
    Limits,
    decode_layer,
    encode_layer,
)

__all__ = ["apply_ops", "land_clips", "merge_patch", "patch_layer"]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch; returns a new value, the inputs are left alone."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def patch_layer(
    layer: Layer, patch: dict[str, object], path: str, *, limits: Limits = DEFAULT_LIMITS
) -> Layer:
    """``layer`` with a merge patch applied, validated as a whole; the id cannot change.

    A patch that changes ``kind`` patches an empty ``content``: the old kind's content fields
    could never be valid for the new kind, so they do not carry over (``{"kind": "color",
    "content": {"color": "#FF0000"}}`` turns a text layer into a colour layer). Likewise a patch
    that gives a video layer a live ``content.input`` drops the clip's own fields (``loop``,
    ``start_frame``, ``in_s``, ``out_s``, ``on_end``); it must still set ``asset`` to null.

    Runtime animation state (tweens, transition phases) is not part of the result, and a patch
    cannot set it: :func:`apply_ops` carries it over (see
    ``compositor.scene.animation.land_update``).
    """
    if "id" in patch and patch["id"] != layer.id:
        raise SceneValidationError(f"{path}.id", "cannot be changed")
    base = encode_layer(layer)
    if patch.get("kind", layer.kind) != layer.kind:
        del base["content"]
    else:
        _switch_to_input(base, patch)
    # A patch path reads like the patch the client sent: ops[1].patch.transform.x
    merged = merge_patch(base, patch)
    merged["id"] = layer.id
    for key in RUNTIME_LAYER_FIELDS:
        merged.pop(key, None)
    return decode_layer(merged, path, limits=limits)


def _switch_to_input(base: dict[str, Any], patch: dict[str, object]) -> None:
    """A patch that gives a clip layer a live ``input`` drops the clip's own fields from
    ``base`` (a live input has none; the patch may still set them, and is refused if it does)."""
    content = patch.get("content")
    if isinstance(content, dict) and content.get("input") is not None:
        for key in CLIP_ONLY_FIELDS:
            base["content"].pop(key, None)


def apply_ops(
    scene: Scene,
    ops: Sequence[Op],
    *,
    limits: Limits = DEFAULT_LIMITS,
    frame: int | None = None,
) -> Scene:
    """Apply every op in order, or none; the result's version is ``scene.version + 1``.

    ``frame`` is the absolute frame (house clock) the commit lands on. With it, ops' ``animate``
    start tweens and transitions there, "on_commit" keyframe starts and clips' null
    ``start_frame`` resolve to it (an update that restarts a clip starts it there), and what had
    finished by then is pruned (``compositor.scene.animation``). Without it every change is
    instant and clips' null ``start_frame`` stay null.
    """
    layers: list[Layer] = list(scene.layers)
    exiting: list[Layer] = list(scene.exiting)
    for i, op in enumerate(ops):
        path = f"ops[{i}]"
        if isinstance(op, AddLayer):
            if any(layer.id == op.layer.id for layer in layers):
                raise DuplicateLayerError(f"{path}.layer.id", f"layer {op.layer.id!r} exists")
            if len(layers) >= limits.max_layers:
                raise SceneValidationError(
                    path, f"the scene would have more than {limits.max_layers} layers"
                )
            # Re-adding an id that is still playing its exit ends that exit at once.
            exiting = [layer for layer in exiting if layer.id != op.layer.id]
            layers.append(land_add(op.layer, frame, op.animate))
            continue
        index = _index_of(layers, op.id, f"{path}.id")
        if isinstance(op, RemoveLayer):
            gone = land_remove(layers[index], frame, op.animate)
            del layers[index]
            if gone is not None:
                exiting.append(gone)
        elif isinstance(op, UpdateLayer):
            old = layers[index]
            new = patch_layer(old, op.patch, f"{path}.patch", limits=limits)
            layers[index] = land_update(old, new, frame, op.animate)
            if len(layers[index].tweens) > limits.max_tweens:
                raise SceneValidationError(
                    f"{path}.animate", f"the layer would have more than {limits.max_tweens} tweens"
                )
    # At most max_layers exits play at once: the oldest are cut short.
    result = replace(
        scene.with_layers(tuple(layers)), exiting=tuple(exiting[-limits.max_layers :])
    )
    return result if frame is None else prune(result, frame)


def _index_of(layers: list[Layer], layer_id: str, path: str) -> int:
    for index, layer in enumerate(layers):
        if layer.id == layer_id:
            return index
    raise LayerNotFoundError(path, f"no layer with id {layer_id!r}")
