"""The connection to Redis, and the one place where redis-py's errors become ours.

:class:`RedisLink` wraps a ``redis.asyncio.Redis`` client built from a URL (``redis://``,
``rediss://`` for TLS, ``unix://``; password and database in the URL as usual). Every operation
runs inside :meth:`RedisLink.guard`, which bounds it in time and translates failures:

- connection refused / reset, timeouts, Redis loading its data → ``StoreUnavailableError``
  (the client reconnects by itself on the next operation);
- ``WRONGTYPE`` and other replies that mean the key holds something that is not ours
  → ``CorruptDataError`` naming the key (and logged).

``connected`` tells whether the last operation reached Redis (for a metrics gauge).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
import redis.exceptions
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from control.errors import CorruptDataError, StoreUnavailableError

__all__ = ["RedisLink", "redact_url"]

log = logging.getLogger(__name__)


def redact_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class RedisLink:
    """One client (one connection pool) for one URL.

    ``op_timeout_s`` bounds every operation, reconnecting included, so a caller waits at most
    that long for an answer when Redis is gone. ``block_s`` is the longest server-side block of
    a blocking read; the socket timeout leaves room for it.
    """

    def __init__(self, url: str, *, op_timeout_s: float = 5.0, block_s: float = 1.0) -> None:
        self.url = redact_url(url)
        self.op_timeout_s = op_timeout_s
        self.block_s = block_s
        self.connected = False
        try:
            self.client: aioredis.Redis = aioredis.from_url(
                url,
                socket_connect_timeout=min(2.0, op_timeout_s),
                socket_timeout=block_s + op_timeout_s,
                # One quick retry covers a pooled connection that died while Redis restarted;
                # backoff between the caller's later attempts is the caller's business.
                retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 1),
                health_check_interval=30,
            )
        except ValueError as exc:  # a malformed URL
            raise StoreUnavailableError(f"bad Redis URL {self.url}: {exc}") from exc

    @asynccontextmanager
    async def guard(self, key: str, timeout_s: float | None = None) -> AsyncIterator[None]:
        """Run the body against ``key`` with a deadline, translating redis-py's errors."""
        try:
            async with asyncio.timeout(timeout_s or self.op_timeout_s):
                yield
        except TimeoutError as exc:
            self.connected = False
            raise StoreUnavailableError(f"Redis at {self.url} did not answer in time") from exc
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
            self.connected = False
            raise StoreUnavailableError(f"Redis at {self.url} is unavailable: {exc}") from exc
        except redis.exceptions.ResponseError as exc:
            self.connected = True
            if "WRONGTYPE" in str(exc):
                log.error("Redis key %s holds data that is not ours: %s", key, exc)
                raise CorruptDataError(f"Redis key {key}: {exc}") from exc
            raise StoreUnavailableError(f"Redis at {self.url} refused: {exc}") from exc
        except redis.exceptions.RedisError as exc:
            raise StoreUnavailableError(f"Redis at {self.url} failed: {exc}") from exc
        else:
            self.connected = True

    async def close(self) -> None:
        try:
            await self.client.aclose()
        except (redis.exceptions.RedisError, OSError) as exc:  # closing a dead link is fine
            log.debug("closing the Redis client: %s", exc)

    def script(self, source: str) -> Any:
        """A Lua script callable as ``await script(keys=[...], args=[...])`` (EVALSHA)."""
        return self.client.register_script(source)
