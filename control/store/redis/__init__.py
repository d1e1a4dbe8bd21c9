"""The Redis store: the scene, journal (a Stream), schedule, receipts and assets in Redis, shared
by every process of a channel. See :mod:`control.store.redis.store`.
"""

from control.store.redis.store import RedisStore

__all__ = ["RedisStore"]
