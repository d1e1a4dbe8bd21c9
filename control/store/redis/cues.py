"""The Redis store's cues and take claims, shared by every replica of a channel.

Keys under ``compositor:<channel>:``:

- ``cues``: a hash, cue id -> the :class:`~control.store.base.Cue` JSON (``cue_records``); a new
  id is refused (one Lua script, so two replicas cannot both pass the bound) past ``max_cues``;
- ``takes``: a hash, take key (cue id and request id) -> the version the take committed, or
  ``pending:<unix ms>`` while it is under way (a pending claim older than ``pending_s`` is
  claimable again: the replica that made it died); ``takes:order`` lists the keys oldest
  first, so only the newest ``claims_max`` are kept.

:class:`RedisCueShelf` gives the store class the cue methods over ``self._cue_keys``.
"""

from __future__ import annotations

import time
from typing import Any, cast

from control.errors import CueNotFoundError, QuotaExceededError
from control.store.base import Cue, TakeClaim
from control.store.cue_records import cue_from_json, cue_to_json
from control.store.records import dump_json, load_json
from control.store.redis.link import RedisLink

__all__ = ["RedisCueShelf", "RedisCues"]

# KEYS: cues hash. ARGV: id, JSON, max. Returns 1, or 0 when full.
_PUT = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and
   redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""

# KEYS: takes hash, order list. ARGV: key, now ms, pending ms, claims max.
_CLAIM = """
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then
  local since = string.match(held, '^pending:(%d+)$')
  if not since then return held end
  if tonumber(ARGV[2]) - tonumber(since) < tonumber(ARGV[3]) then return 'pending' end
else
  redis.call('RPUSH', KEYS[2], ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], 'pending:' .. ARGV[2])
while redis.call('LLEN', KEYS[2]) > tonumber(ARGV[4]) do
  redis.call('HDEL', KEYS[1], redis.call('LPOP', KEYS[2]))
end
return 'claimed'
"""


class RedisCues:
    def __init__(self, link: RedisLink, channel: str, *, max_cues: int = 1000,
                 claims_max: int = 1000, pending_s: float = 30.0) -> None:
        self._link = link
        self.max_cues = max_cues
        self._claims_max = claims_max
        self._pending_ms = int(pending_s * 1000)
        self._hash = f"compositor:{channel}:cues"
        self._takes = f"compositor:{channel}:takes"
        self._put = link.script(_PUT)
        self._claim = link.script(_CLAIM)

    def _decode(self, raw: Any) -> Cue:
        where = f"Redis key {self._hash}"
        return cue_from_json(load_json(raw, where), where)

    async def put(self, cue: Cue) -> Cue:
        async with self._link.guard(self._hash):
            done = await self._put(keys=[self._hash],
                                   args=[cue.id, dump_json(cue_to_json(cue)), self.max_cues])
        if not done:
            raise QuotaExceededError(f"there are {self.max_cues} cues, the most allowed: "
                                     "delete some first")
        return cue

    async def get(self, cue_id: str) -> Cue:
        async with self._link.guard(self._hash):
            raw = await self._link.client.hget(self._hash, cue_id)
        if raw is None:
            raise CueNotFoundError(cue_id)
        return self._decode(raw)

    async def list(self) -> list[Cue]:
        async with self._link.guard(self._hash):
            raw = cast(dict[bytes, bytes], await self._link.client.hgetall(self._hash))
        return sorted((self._decode(value) for value in raw.values()),
                      key=lambda cue: (cue.name, cue.id))

    async def delete(self, cue_id: str) -> None:
        async with self._link.guard(self._hash):
            removed = await self._link.client.hdel(self._hash, cue_id)
        if not removed:
            raise CueNotFoundError(cue_id)

    async def claim(self, key: str) -> TakeClaim:
        async with self._link.guard(self._takes):
            reply = await self._claim(
                keys=[self._takes, f"{self._takes}:order"],
                args=[key, int(time.time() * 1000), self._pending_ms, self._claims_max])
        text = bytes(reply).decode()
        if text in ("claimed", "pending"):
            return cast(TakeClaim, text)
        return int(text)

    async def settle(self, key: str, version: int | None) -> None:
        async with self._link.guard(self._takes):
            if version is None:
                await self._link.client.hdel(self._takes, key)
            else:
                await self._link.client.hset(self._takes, key, str(version))


class RedisCueShelf:
    """The cue part of the ``Store`` protocol, over ``self._cue_keys`` (set by the store)."""

    _cue_keys: RedisCues

    async def put_cue(self, cue: Cue) -> Cue:
        return await self._cue_keys.put(cue)

    async def get_cue(self, cue_id: str) -> Cue:
        return await self._cue_keys.get(cue_id)

    async def list_cues(self) -> list[Cue]:
        return await self._cue_keys.list()

    async def delete_cue(self, cue_id: str) -> None:
        await self._cue_keys.delete(cue_id)

    async def claim_take(self, key: str) -> TakeClaim:
        return await self._cue_keys.claim(key)

    async def settle_take(self, key: str, version: int | None) -> None:
        await self._cue_keys.settle(key, version)
