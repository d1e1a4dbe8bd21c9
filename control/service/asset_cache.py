"""The render thread's view of the assets: a thread-safe dict filled from the async store.

The renderer asks for asset bytes synchronously on its own thread (``AssetSource``); it must never
wait for I/O. The service therefore calls :meth:`AssetCache.ensure` for every scene *before*
publishing it, so each asset the scene names is already here when the frame is drawn. Entries no
longer named by the last two published scenes are dropped (the renderer keeps its own textures).
"""

from __future__ import annotations

import logging
import threading

from compositor.scene import Scene, scene_assets
from control.errors import AssetNotFoundError
from control.store.base import Store

__all__ = ["AssetCache"]

log = logging.getLogger(__name__)


class AssetCache:
    """``get`` is the pipeline's ``AssetSource``; ``ensure`` runs on the event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bytes: dict[str, bytes] = {}
        self._previous: set[str] = set()

    def get(self, asset_id: str, /) -> bytes | None:
        with self._lock:
            return self._bytes.get(asset_id)

    def __len__(self) -> int:
        with self._lock:
            return len(self._bytes)

    async def ensure(self, store: Store, scene: Scene) -> None:
        """Load every asset ``scene`` names that is not cached yet; prune the rest."""
        wanted = await self.add(store, scene)
        with self._lock:
            keep = wanted | self._previous
            for asset_id in [a for a in self._bytes if a not in keep]:
                del self._bytes[asset_id]
        self._previous = wanted

    async def add(self, store: Store, scene: Scene) -> set[str]:
        """Load every asset ``scene`` names that is not cached yet, pruning nothing (a preview's
        scene: the next :meth:`ensure` prunes them); the ids it names."""
        wanted = set(scene_assets(scene))
        for asset_id in sorted(wanted):
            if self.get(asset_id) is not None:
                continue
            try:
                data = await store.get_asset(asset_id)
            except AssetNotFoundError:
                # Deleted between validation and now: the renderer draws the layer as nothing.
                log.warning("scene %d names a missing asset %s", scene.version, asset_id)
                continue
            with self._lock:
                self._bytes[asset_id] = data
        return wanted
