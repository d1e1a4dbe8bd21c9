"""Clips made ready for the render thread before a scene that plays them is published.

The render thread never waits for I/O: a clip's file must be local and prepared in the
:class:`~compositor.media.MediaLibrary` (probed, its sound rendered once to 48 kHz PCM) before a
scene naming it reaches the pipeline. :meth:`ClipPreparer.ensure` does that for every clip a scene
names (its exiting layers' too), as ``AssetCache.ensure`` does for image bytes: the store gives a
local file (``Store.asset_file``: with Redis, fetched into the local cache and verified), and
``MediaLibrary.prepare`` runs in a worker thread. A clip that cannot be prepared (deleted,
damaged) is logged and listed in :meth:`ClipPreparer.problems` (``/readyz``); its layer draws
nothing and the scene is published all the same. A clip prepared once is not prepared again
while this process runs (the library is idempotent, and the file is content-addressed).
"""

from __future__ import annotations

import asyncio
import logging
import threading

from compositor.media import MediaLibrary
from compositor.scene import AudioContent, Scene, VideoContent
from control.store.base import Store

__all__ = ["ClipPreparer", "scene_clips"]

log = logging.getLogger(__name__)


def scene_clips(scene: Scene) -> frozenset[str]:
    """The asset ids of every clip ``scene`` plays (video and audio layers, exiting included)."""
    ids: set[str] = set()
    for layer in (*scene.layers, *scene.exiting):
        content = layer.content
        if isinstance(content, AudioContent) or (isinstance(content, VideoContent)
                                                 and content.asset is not None):
            assert content.asset is not None
            ids.add(content.asset)
    return frozenset(ids)


class ClipPreparer:
    """Prepares ``store``'s clips in ``media``; :meth:`ensure` runs on the event loop."""

    def __init__(self, store: Store, media: MediaLibrary) -> None:
        self.store = store
        self.media = media
        self._lock = threading.Lock()
        self._problems: dict[str, str] = {}

    async def ensure(self, scene: Scene) -> None:
        """Prepare every clip ``scene`` plays that is not prepared yet (see the module)."""
        clips = scene_clips(scene)
        for asset_id in sorted(clips):
            if self.media.info(asset_id) is not None:
                continue
            try:
                path = await self.store.asset_file(asset_id)
                await asyncio.to_thread(self.media.prepare, asset_id, path)
            except Exception as exc:  # store or media: one bad clip must not stop the feed
                self._report(asset_id, f"{type(exc).__name__}: {exc}")
        with self._lock:  # problems of clips no longer played, or prepared since, are over
            for key in [k for k in self._problems
                        if k.removeprefix("clip ") not in clips
                        or self.media.info(k.removeprefix("clip ")) is not None]:
                del self._problems[key]

    def _report(self, asset_id: str, reason: str) -> None:
        log.error("clip %s cannot be played: %s", asset_id, reason)
        with self._lock:
            self._problems[f"clip {asset_id}"] = reason

    def problems(self) -> dict[str, str]:
        """``"clip <id>"`` -> why it could not be prepared (for ``/readyz``)."""
        with self._lock:
            return dict(self._problems)
