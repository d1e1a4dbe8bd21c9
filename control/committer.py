"""The one way the API changes the scene: decode ops, check the assets they name, commit.

HTTP routes and WebSocket requests both go through :class:`Committer`, so a change is validated,
measured and refused the same way whichever way it came in. Asset checks (an image layer's asset
must be an image asset; a text layer's font must be builtin or a font asset) happen here because
the scene codec is pure and knows nothing of the store.

An asset deleted between this check and the store commit is the one race left open; the renderer
draws a missing asset as nothing (it never fails the frame).

Where each commit lands (its frame, and the frame the pipeline holds it for) is decided by
:class:`~control.landing.Landings`, which owns that rule (``control/landing.py``).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

from compositor.errors import SceneError, SceneValidationError
from compositor.scene import (
    AddLayer,
    AudioContent,
    ImageContent,
    Op,
    TextContent,
    UpdateLayer,
    VideoContent,
    find_layer,
)
from compositor.scene.codec import Limits, decode_ops
from compositor.scene.ops import apply_ops
from compositor.scene.schedule import resolve_at
from control.assets import BUILTIN_FONTS
from control.errors import (
    AssetNotFoundError,
    QuotaExceededError,
    VersionConflictError,
)
from control.landing import Landings, with_source
from control.metrics import ControlMetrics
from control.store.base import CommitRecord, ScheduledCommit, Store
from control.store.records import ops_to_json
from control.wording import a_or_an

__all__ = ["Committer", "new_layer_id", "new_schedule_id"]

_log = logging.getLogger(__name__)


def new_schedule_id() -> str:
    """A scheduled commit's id: ``sched-`` and 12 random URL-safe characters."""
    return "sched-" + secrets.token_urlsafe(9)


def new_layer_id() -> str:
    """A server-assigned layer id: ``layer-`` and 8 random URL-safe characters."""
    return "layer-" + secrets.token_urlsafe(6)


_WANTED: dict[str, tuple[str, ...]] = {
    "image": ("image",), "video": ("video",), "audio": ("audio", "video"), "text": ("font",),
}
"""Asset kinds each layer kind may name (an audio layer may play a video clip's sound)."""


def _content_ref(content: object) -> tuple[str, str] | None:
    """(field, layer kind) of the asset a layer's content names, if any."""
    if isinstance(content, ImageContent):
        return content.asset, "image"
    if isinstance(content, VideoContent) and content.asset is not None:
        return content.asset, "video"
    if isinstance(content, AudioContent):
        return content.asset, "audio"
    if isinstance(content, TextContent) and content.font not in BUILTIN_FONTS:
        return content.font, "text"
    return None


def _asset_refs(ops: Sequence[Op], kind_of: Callable[[str], str | None]
                ) -> list[tuple[str, str, str]]:
    """(JSON path, layer kind, asset id) for every asset the ops name; ``kind_of`` gives the
    kind of a layer the ops update (None: unknown, checked no further)."""
    refs: list[tuple[str, str, str]] = []
    added: dict[str, str] = {}
    for i, op in enumerate(ops):
        if isinstance(op, AddLayer):
            added[op.layer.id] = op.layer.kind
            ref = _content_ref(op.layer.content)
            if ref is not None:
                field = "font" if ref[1] == "text" else "asset"
                refs.append((f"ops[{i}].layer.content.{field}", ref[1], ref[0]))
        elif isinstance(op, UpdateLayer):
            patch_content = op.patch.get("content")
            if not isinstance(patch_content, dict):
                continue
            base = f"ops[{i}].patch.content"
            patched = op.patch.get("kind")
            kind = patched if isinstance(patched, str) else (
                added.get(op.id) or kind_of(op.id))
            asset, font = patch_content.get("asset"), patch_content.get("font")
            if isinstance(asset, str) and kind in ("image", "video", "audio"):
                refs.append((f"{base}.asset", kind, asset))
            if isinstance(font, str) and font not in BUILTIN_FONTS:
                refs.append((f"{base}.font", "text", font))
    return refs


def _input_refs(ops: Sequence[Op]) -> list[tuple[str, str]]:
    """(JSON path, input id) for every live input the ops name."""
    refs: list[tuple[str, str]] = []
    for i, op in enumerate(ops):
        if isinstance(op, AddLayer) and isinstance(op.layer.content, VideoContent) \
                and op.layer.content.input is not None:
            refs.append((f"ops[{i}].layer.content.input", op.layer.content.input))
        elif isinstance(op, UpdateLayer):
            content = op.patch.get("content")
            named = content.get("input") if isinstance(content, dict) else None
            if isinstance(named, str):
                refs.append((f"ops[{i}].patch.content.input", named))
    return refs


def _wanted_text(layer_kind: str) -> str:
    if layer_kind == "text":
        return "font (builtin: " + ", ".join(sorted(BUILTIN_FONTS)) + ")"
    return " or ".join(f"{kind} asset" for kind in _WANTED[layer_kind])


class Committer:
    """Validates and commits ops for the HTTP routes and the WebSocket hub."""

    def __init__(self, store: Store, metrics: ControlMetrics, limits: Limits,
                 landings: Landings | None = None, *, max_scheduled: int = 1000) -> None:
        """``landings`` decides where commits land (default: 60 fps on the system clock);
        ``max_scheduled`` is the most commits the schedule may hold (409 above)."""
        self.max_scheduled = max_scheduled
        self.store = store
        self.metrics = metrics
        self.limits = limits
        self.landings = landings if landings is not None else Landings()

    def decode(self, ops_json: Any, path: str = "ops") -> tuple[Op, ...]:
        """Ops from JSON (layers without an id get one); raises ``SceneValidationError``."""
        return decode_ops(ops_json, path, limits=self.limits, new_id=new_layer_id)

    async def check_assets(self, ops: Sequence[Op]) -> None:
        """Refuse (422, with the path) ops naming assets that do not exist or are of a kind the
        layer cannot show (a video layer naming an image: ``...content.asset``), or live inputs
        that do not exist (``...content.input``)."""
        scene = None
        if any(isinstance(op, UpdateLayer) and isinstance(op.patch.get("content"), dict)
               for op in ops):
            scene = await self.store.read()

        def kind_of(layer_id: str) -> str | None:
            layer = None if scene is None else find_layer(scene, layer_id)
            return None if layer is None else layer.kind

        for path, layer_kind, asset_id in _asset_refs(ops, kind_of):
            try:
                info = await self.store.asset_info(asset_id)
            except AssetNotFoundError:
                raise SceneValidationError(path, f"no {_wanted_text(layer_kind)} with id "
                                                 f"{asset_id!r}") from None
            if info.kind not in _WANTED[layer_kind]:
                raise SceneValidationError(path, f"asset {asset_id!r} is of kind {info.kind}: "
                                                 f"{a_or_an(layer_kind)} layer needs "
                                                 f"{a_or_an(_wanted_text(layer_kind))}")
        for path, input_id in _input_refs(ops):
            if await self.store.get_input(input_id) is None:
                raise SceneValidationError(path, f"no input with id {input_id!r}: create it "
                                                 "first (POST /api/v1/inputs)")

    async def commit(
        self, ops: Sequence[Op], *, if_version: int | None, source: str,
        author: str | None = None, at_frame: int | None = None,
        meta: dict[str, Any] | None = None,
    ) -> CommitRecord:
        """Check assets and commit; counts the result and times the whole thing.

        ``source`` (http, ws, cue, schedule, controller) is kept in the journal's ``meta`` with
        ``meta``'s extras (``control.landing.source_of`` reads them). ``at_frame``: land on that
        frame, held for it (:meth:`Landings.at`), instead of the next one.
        Raises ``SceneError`` (422/404/409), ``VersionConflictError`` (409/412) or a store error.
        """
        started = time.perf_counter()
        result = "error"
        try:
            await self.check_assets(ops)
            landing = self.landings.immediate() if at_frame is None \
                else self.landings.at(at_frame)
            record = await self.store.commit(ops, if_version=if_version, author=author,
                                             meta=with_source(landing, source, meta),
                                             frame=landing.frame)
            result = "ok"
            return record
        except VersionConflictError:
            result = "conflict"
            raise
        except SceneError:
            result = "invalid"
            raise
        finally:
            self.metrics.commits.labels(source, result).inc()
            if result == "ok":
                self.metrics.commit_seconds.labels(source).observe(
                    time.perf_counter() - started)

    async def schedule(
        self, ops: Sequence[Op], at: Any, *, if_version: int | None, author: str | None = None,
    ) -> ScheduledCommit:
        """Put ``ops`` in the schedule to land on the frame ``at`` names (``resolve_at``).

        Everything that can be judged now is: the ``at`` (paths ``at.frame``...), the assets, the
        ``if_version`` (against the scene now) and the ops themselves, dry-run on the current
        scene (paths ``ops[0]...``). Ops that become invalid by their frame (a layer removed
        meanwhile) fail then: logged and counted (``source="schedule"``, ``result="invalid"``).
        A frame already past is kept as it is: the scheduler commits it at once, as late.
        """
        scene = await self.store.read()
        now = self.landings.now_frame()
        at_frame = resolve_at(at, now, scene.fps)
        if if_version is not None and if_version != scene.version:
            raise VersionConflictError(if_version, scene.version)
        await self.check_assets(ops)
        apply_ops(scene, ops, limits=self.limits, frame=max(at_frame, now + 1))
        pending = len(await self.store.schedule_list())
        if pending >= self.max_scheduled:
            raise QuotaExceededError(f"the schedule holds {pending} commits, the most it may "
                                     f"hold ({self.max_scheduled}): cancel some first")
        entry = ScheduledCommit(new_schedule_id(), at_frame, ops_to_json(ops),
                                self.landings.time_source(), author)
        await self.store.schedule_put(entry)
        return entry

    async def commit_scheduled(self, entry: ScheduledCommit) -> CommitRecord | None:
        """Commit a due entry (the scheduler took it) on its frame, or at once when that has
        passed (:meth:`Landings.scheduled`). None when it fails."""
        started = time.perf_counter()
        result = "error"
        try:
            ops = decode_ops(list(entry.ops), "ops", limits=self.limits)
            landing = self.landings.scheduled(entry.at_frame, entry.id)
            record = await self.store.commit(ops, author=entry.author, frame=landing.frame,
                                             meta=with_source(landing, "schedule"))
            result = "ok"
            return record
        except SceneError as exc:
            result = "invalid"
            _log.error("scheduled commit %s for frame %d failed: %s", entry.id, entry.at_frame,
                       exc)
            return None
        finally:
            self.metrics.commits.labels("schedule", result).inc()
            if result == "ok":
                self.metrics.commit_seconds.labels("schedule").observe(
                    time.perf_counter() - started)
