"""Clips made ready for the render thread before a scene that plays them is published.

The render thread never waits for I/O: a clip's file must be local and prepared in the
:class:`~compositor.media.MediaLibrary` (probed, its sound rendered once to 48 kHz PCM) before a
scene naming it reaches the pipeline. :meth:`ClipPreparer.ensure` does that for every clip a scene
names (its exiting layers' too), as ``AssetCache.ensure`` does for image bytes: the store gives a
local file (``Store.asset_file``: with Redis, fetched into the local cache and verified), and
``MediaLibrary.prepare`` runs in a worker thread. A clip that cannot be prepared (deleted,
damaged) is logged and listed in :meth:`ClipPreparer.problems` (``/readyz``); its layer draws
nothing and the scene is published all the same. A prepared clip is not prepared again while it
stays prepared (the library is idempotent, and the file is content-addressed).

Release: a 24/7 channel plays clip after clip, and each prepared clip holds its sound (a memory
map of 23 MB a minute, and the same on disk in the PCM cache). :meth:`ClipPreparer.sweep`
(every :data:`SWEEP_INTERVAL_S`, :meth:`ClipPreparer.run`) releases the clips that no scene has
named for ``idle_s`` (default :data:`CLIP_IDLE_S`): named means in a scene fed here, or in a
scene the pipeline still holds (on air, or published and waiting for its frame, so a clip that a
scheduled take or a later ``start_frame`` plays is kept). Releasing removes the clip's PCM file;
the same sweep removes the files no prepared clip owns (an earlier process's, a deleted asset's).
When a released clip's asset has been deleted (by any process of the channel), the store's local
copy of its bytes goes too (``Store.forget_asset_file``: with Redis, the file in the asset cache).
A released clip named again is prepared again, before its scene is published, like a new one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable

from compositor.media import MediaLibrary
from compositor.scene import AudioContent, Scene, VideoContent
from control.errors import ControlError
from control.store.base import Store

__all__ = ["CLIP_IDLE_S", "SWEEP_INTERVAL_S", "ClipPreparer", "scene_clips"]

log = logging.getLogger(__name__)

CLIP_IDLE_S = 600.0
"""Seconds a prepared clip stays prepared after the last scene that named it."""

SWEEP_INTERVAL_S = 30.0
"""Seconds between two sweeps of :meth:`ClipPreparer.run`."""


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

    def __init__(self, store: Store, media: MediaLibrary, *,
                 held: Callable[[], Iterable[Scene]] = tuple, idle_s: float = CLIP_IDLE_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """``held()``: the scenes the pipeline holds (``Pipeline.held_scenes``; settable once
        the pipeline exists)."""
        self.store = store
        self.media = media
        self.held = held
        self._idle_s = idle_s
        self._clock = clock
        self._lock = threading.Lock()
        self._problems: dict[str, str] = {}
        self._latest: frozenset[str] = frozenset()  # the clips of the last scene fed
        self._named: dict[str, float] = {}  # asset id -> when a scene last named it

    async def ensure(self, scene: Scene) -> None:
        """Prepare every clip ``scene`` plays that is not prepared yet (see the module)."""
        clips = scene_clips(scene)
        self._latest = clips
        self._mark(clips)
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

    async def sweep(self) -> list[str]:
        """Release the clips no scene has named for ``idle_s`` and remove stale PCM files (see
        the module); the asset ids released."""
        named = set(self._latest)
        for scene in self.held():
            named |= scene_clips(scene)
        self._mark(named)
        now = self._clock()
        # Only prepared clips are timed (a clip first seen now starts its time now), so the
        # table never outgrows the library.
        self._named = {asset_id: self._named.get(asset_id, now)
                       for asset_id in self.media.prepared()}
        idle = [asset_id for asset_id, at in self._named.items() if now - at >= self._idle_s]
        released = await asyncio.to_thread(self.media.release, idle) if idle else []
        for asset_id in released:
            del self._named[asset_id]
            log.info("clip %s released: no scene has named it for %.0f s", asset_id,
                     self._idle_s)
            try:
                if await self.store.forget_asset_file(asset_id):
                    log.info("clip %s was deleted: its local copy removed", asset_id)
            except ControlError as exc:  # the store is down: the copy stays, the sweep goes on
                log.warning("cannot check whether clip %s was deleted: %s", asset_id, exc)
        stale = await asyncio.to_thread(self.media.remove_stale_cache)
        if stale:
            log.info("removed the PCM cache of %d clips that are not prepared", len(stale))
        return released

    async def run(self) -> None:
        """Sweep every :data:`SWEEP_INTERVAL_S` seconds (more often when ``idle_s`` is under
        twice that), forever (cancel to stop)."""
        interval_s = min(SWEEP_INTERVAL_S, self._idle_s / 2)
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.sweep()
            except Exception:  # a failing sweep must not end the sweeps (nor the service)
                log.exception("clip sweep failed")

    def _mark(self, clips: Iterable[str]) -> None:
        now = self._clock()
        for asset_id in clips:
            self._named[asset_id] = now

    def _report(self, asset_id: str, reason: str) -> None:
        log.error("clip %s cannot be played: %s", asset_id, reason)
        with self._lock:
            self._problems[f"clip {asset_id}"] = reason

    def problems(self) -> dict[str, str]:
        """``"clip <id>"`` -> why it could not be prepared (for ``/readyz``)."""
        with self._lock:
            return dict(self._problems)
