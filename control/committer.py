"""The one way the API changes the scene: decode ops, check the assets they name, commit.

HTTP routes and WebSocket requests both go through :class:`Committer`, so a change is validated,
measured and refused the same way whichever way it came in. Asset checks (an image layer's asset
must be an image asset; a text layer's font must be builtin or a font asset) happen here because
the scene codec is pure and knows nothing of the store.

An asset deleted between this check and the store commit is the one race left open; the renderer
draws a missing asset as nothing (it never fails the frame).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from typing import Any

from compositor.codec import Limits, decode_ops
from compositor.errors import SceneError, SceneValidationError
from compositor.scene import AddLayer, ImageContent, Op, TextContent, UpdateLayer
from control.assets import BUILTIN_FONTS
from control.errors import AssetNotFoundError, VersionConflictError
from control.metrics import ControlMetrics
from control.store.base import CommitRecord, Store

__all__ = ["Committer", "new_layer_id"]


def new_layer_id() -> str:
    """A server-assigned layer id: ``layer-`` and 8 random URL-safe characters."""
    return "layer-" + secrets.token_urlsafe(6)


def _asset_refs(ops: Sequence[Op]) -> list[tuple[str, str, str]]:
    """(JSON path, wanted kind, asset id) for every asset the ops name."""
    refs: list[tuple[str, str, str]] = []
    for i, op in enumerate(ops):
        if isinstance(op, AddLayer):
            content, base = op.layer.content, f"ops[{i}].layer.content"
            if isinstance(content, ImageContent):
                refs.append((f"{base}.asset", "image", content.asset))
            elif isinstance(content, TextContent) and content.font not in BUILTIN_FONTS:
                refs.append((f"{base}.font", "font", content.font))
        elif isinstance(op, UpdateLayer):
            patch_content = op.patch.get("content")
            if not isinstance(patch_content, dict):
                continue
            base = f"ops[{i}].patch.content"
            asset, font = patch_content.get("asset"), patch_content.get("font")
            if isinstance(asset, str):
                refs.append((f"{base}.asset", "image", asset))
            if isinstance(font, str) and font not in BUILTIN_FONTS:
                refs.append((f"{base}.font", "font", font))
    return refs


class Committer:
    """Validates and commits ops for the HTTP routes and the WebSocket hub."""

    def __init__(self, store: Store, metrics: ControlMetrics, limits: Limits) -> None:
        self.store = store
        self.metrics = metrics
        self.limits = limits

    def decode(self, ops_json: Any, path: str = "ops") -> tuple[Op, ...]:
        """Ops from JSON (layers without an id get one); raises ``SceneValidationError``."""
        return decode_ops(ops_json, path, limits=self.limits, new_id=new_layer_id)

    async def check_assets(self, ops: Sequence[Op]) -> None:
        """Refuse (422, with the path) ops naming assets that do not exist or are the wrong kind."""
        for path, kind, asset_id in _asset_refs(ops):
            try:
                info = await self.store.asset_info(asset_id)
            except AssetNotFoundError:
                what = "font (builtin: " + ", ".join(sorted(BUILTIN_FONTS)) + ")" \
                    if kind == "font" else "image asset"
                raise SceneValidationError(path, f"no {what} with id {asset_id!r}") from None
            if info.kind != kind:
                raise SceneValidationError(path, f"asset {asset_id!r} is a {info.kind}, "
                                           f"not a{'n' if kind == 'image' else ''} {kind}")

    async def commit(
        self, ops: Sequence[Op], *, if_version: int | None, source: str,
        author: str | None = None,
    ) -> CommitRecord:
        """Check assets and commit; counts the result and times the whole thing.

        Raises ``SceneError`` (422/404/409), ``VersionConflictError`` (409/412) or a store error.
        """
        started = time.perf_counter()
        result = "error"
        try:
            await self.check_assets(ops)
            record = await self.store.commit(ops, if_version=if_version, author=author)
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
