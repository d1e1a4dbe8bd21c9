"""Opening the store the settings name."""

from __future__ import annotations

from typing import Any

from compositor.scene import Scene
from control.service.settings import Settings
from control.store.base import Store
from control.store.embedded import EmbeddedStore

__all__ = ["open_store"]


def open_store(settings: Settings, *, initial: Scene | None = None) -> Store:
    """The store ``settings`` name: the Redis store when a Redis URL is set, else the embedded
    store under ``settings.data_dir``. Nothing is connected or locked until first used.

    ``initial`` is the scene read while the store holds none (``Store.initialize`` writes one).
    Commits are checked against ``settings.limits``.
    """
    if settings.redis_url:
        # Imported here so that the embedded store works without loading redis-py at all.
        from control.store.redis import RedisStore

        return RedisStore.from_url(settings.redis_url, channel=settings.channel, initial=initial,
                                   limits=settings.limits, **_retention(settings))
    return EmbeddedStore(settings.data_dir, channel=settings.channel, initial=initial,
                         limits=settings.limits, **_retention(settings))


def _retention(settings: Settings) -> dict[str, Any]:
    """What both stores keep, and for how long."""
    return {"journal_max_bytes": settings.max_journal_bytes,
            "journal_max": settings.journal_max,
            "journal_max_age_s": settings.journal_max_age_s, "max_cues": settings.max_cues}
