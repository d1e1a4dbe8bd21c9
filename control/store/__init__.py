"""The scene store: the single source of truth for the scene and the assets.

:func:`open_store` picks the backend from the settings: the Redis store when a Redis URL is set,
else the embedded store under ``settings.data_dir`` (see ``memory.py`` for its layout). The
interface is :class:`~control.store.base.Store`.
"""

from __future__ import annotations

from compositor.codec import Limits
from compositor.scene import Scene
from control.settings import Settings
from control.store.base import AssetInfo, Change, CommitRecord, Store
from control.store.memory import MemoryStore

__all__ = ["AssetInfo", "Change", "CommitRecord", "MemoryStore", "Store", "open_store"]


def open_store(settings: Settings, *, initial: Scene | None = None) -> Store:
    """The store ``settings`` name; nothing is connected or locked until first used.

    ``initial`` is the scene read while the store holds none (``Store.initialize`` writes one).
    Commits are checked against ``settings.max_layers``.
    """
    limits = Limits(max_layers=settings.max_layers)
    if settings.redis_url:
        # Imported here so that the embedded store works without loading redis-py at all.
        from control.store.redis import RedisStore

        return RedisStore.from_url(settings.redis_url, channel=settings.channel, initial=initial,
                                   limits=limits)
    return MemoryStore(settings.data_dir, channel=settings.channel, initial=initial, limits=limits)
