"""Preview before air: the scene as it would be after a commit or a cue, nothing committed.

:func:`preview_target` turns a request (``POST /api/v1/preview``) into the scene to draw and the
absolute frame to draw it at. The body is a commit body, ``{"ops": [...], "if_version"?}``, or
``{"cue": "<id>"}``, either with ``"frame_offset"`` (frames after the landing, default 0, so
animations can be scrubbed) and ``"width"`` (px of the JPEG). The ops are applied to the current
scene exactly as a commit made now would be (:meth:`Landings.immediate`: the frame it would land
on, tweens and transitions starting there) and the result is evaluated ``frame_offset`` frames
after that landing, so a take that lands on frame L shows at L + k what the preview showed for
offset k (when nothing else changes meanwhile). Errors are those of a commit, with the same
paths (``ops[0].layer...``), plus ``cue`` (404) and ``frame_offset`` / ``width`` (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compositor.errors import SceneValidationError
from compositor.scene import Scene
from compositor.scene.ops import apply_ops
from control.commit_request import parse_commit_request
from control.context import ControlContext
from control.errors import VersionConflictError

__all__ = ["MAX_FRAME_OFFSET", "PreviewTarget", "parse_count", "preview_target",
           "preview_width"]

MAX_FRAME_OFFSET = 216_000
"""The furthest a preview looks ahead, in frames (an hour at 60 fps)."""
_OWN = ("frame_offset", "width")


@dataclass(frozen=True, slots=True)
class PreviewTarget:
    scene: Scene
    frame: int
    width: int | None


def parse_count(value: Any, path: str, low: int, high: int) -> int:
    """An integer in ``[low, high]``, else ``SceneValidationError`` at ``path``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SceneValidationError(path, f"must be an integer from {low} to {high}")
    return value


def preview_width(value: Any, path: str = "width") -> int | None:
    return None if value is None else parse_count(value, path, 16, 7680)


async def _ops_of(ctx: ControlContext, body: dict[str, Any]) -> tuple[Any, int | None]:
    if "cue" in body:
        for key in body:
            if key not in ("cue", *_OWN):
                raise SceneValidationError(str(key), "unknown field (a cue preview takes cue, "
                                                     "frame_offset and width)")
        if not isinstance(body["cue"], str):
            raise SceneValidationError("cue", "must be a cue id")
        cue = await ctx.store.get_cue(body["cue"])  # CueNotFoundError: 404
        return ctx.committer.decode(list(cue.ops)), cue.if_version
    request = parse_commit_request(body, ctx.committer, extra_fields=_OWN)
    return request.ops, request.if_version


async def preview_target(ctx: ControlContext, body: Any, *,
                         frame_offset: int | None = None) -> PreviewTarget:
    """The scene and frame a preview request asks for (see the module docstring)."""
    if not isinstance(body, dict):
        raise SceneValidationError("", 'the body must be an object: {"ops": [...]} or '
                                       '{"cue": "<id>"}')
    ops, if_version = await _ops_of(ctx, body)
    offset = frame_offset if frame_offset is not None else parse_count(
        body.get("frame_offset", 0), "frame_offset", 0, MAX_FRAME_OFFSET)
    await ctx.committer.check_assets(ops)
    scene = await ctx.store.read()
    if if_version is not None and if_version != scene.version:
        raise VersionConflictError(if_version, scene.version)
    landing = ctx.committer.landings.immediate()
    assert landing.frame is not None
    after = apply_ops(scene, ops, limits=ctx.limits, frame=landing.frame)
    return PreviewTarget(after, landing.frame + offset, preview_width(body.get("width")))
