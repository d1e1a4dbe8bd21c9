"""When a clip starts: resolving a clip layer's null ``start_frame``. Pure.

A clip (a ``video`` layer with an ``asset``, or an ``audio`` layer) shows its in point at the
absolute house-clock frame ``start_frame``. Null means "the frame the commit lands on"; the
server writes that frame in, so that what plays at frame F stays a pure function of the stored
scene and F (live, offline and after a restart alike):

- an added clip with a null ``start_frame`` starts on the commit's frame (:func:`land_clip`);
- an update restarts a clip on the commit's frame when it sets ``start_frame`` to null, or when
  it changes ``asset`` or ``in_s`` or turns ``loop`` on while leaving ``start_frame`` as it was
  (:func:`land_clip_update`); an update that sets another ``start_frame`` gets that frame, and
  any other update (volume, position, ...) keeps the running clip's ``start_frame``;
- :func:`land_clips` resolves every null left in a scene (an offline render of a scene file
  starts its clips on the render's first frame).

Without a frame (``frame`` None: no clock) nulls stay null, and a restart leaves null ("starts
when it lands"). A live input (``input``) has no start. This module imports nothing of ours but
the scene model.
"""

from __future__ import annotations

from msgspec.structs import replace

from compositor.scene import AudioContent, ClipContent, Content, Layer, Scene, VideoContent

__all__ = ["is_clip", "land_clip", "land_clip_update", "land_clips"]


def is_clip(content: Content) -> bool:
    """Whether ``content`` plays a clip (an asset on the house clock), not a live input."""
    return isinstance(content, AudioContent) or (
        isinstance(content, VideoContent) and content.asset is not None
    )


def _started(layer: Layer, content: ClipContent, start: int | None) -> Layer:
    if content.start_frame == start:
        return layer
    return replace(layer, content=replace(content, start_frame=start))


def land_clip(layer: Layer, frame: int | None) -> Layer:
    """``layer`` with a clip's null ``start_frame`` set to ``frame`` (when known); any other
    layer unchanged (the same object)."""
    content = layer.content
    if frame is None or not is_clip(content):
        return layer
    assert isinstance(content, VideoContent | AudioContent)
    return layer if content.start_frame is not None else _started(layer, content, frame)


def _restarts(old: Content, new: ClipContent) -> bool:
    """Whether an update from ``old`` to ``new`` (a clip) starts the clip again."""
    if new.start_frame is None:
        return True
    if not is_clip(old):
        return False  # it was not playing: its start_frame was set by the patch itself
    assert isinstance(old, VideoContent | AudioContent)
    if new.start_frame != old.start_frame:
        return False  # set by the patch: the client said when
    return old.asset != new.asset or old.in_s != new.in_s or (new.loop and not old.loop)


def land_clip_update(old: Layer, new: Layer, frame: int | None) -> Layer:
    """``new`` (``old`` with a patch applied) with its clip restarted on ``frame`` when the
    update restarts it (see the module's rules); None for ``frame`` leaves it null."""
    content = new.content
    if not is_clip(content):
        return new
    assert isinstance(content, VideoContent | AudioContent)
    return _started(new, content, frame) if _restarts(old.content, content) else new


def land_clips(scene: Scene, frame: int | None) -> Scene:
    """``scene`` with every clip's null ``start_frame`` (layers and exiting layers) set to
    ``frame``; the same scene object when there is none, or when ``frame`` is None."""
    if frame is None:
        return scene
    layers = tuple(land_clip(layer, frame) for layer in scene.layers)
    exiting = tuple(land_clip(layer, frame) for layer in scene.exiting)
    if all(a is b for a, b in zip((*layers, *exiting), (*scene.layers, *scene.exiting))):
        return scene
    return replace(scene, layers=layers, exiting=exiting)
