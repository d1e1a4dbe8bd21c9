"""The Redis store's schedule: pending scheduled commits of one channel.

Keys under ``compositor:<channel>:``:

- ``schedule``: a hash, entry id -> the :class:`ScheduledCommit` JSON;
- ``schedule:due``: a sorted set, entry id scored by its ``at_frame`` (frames stay below 2**53,
  so the double score is exact);
- ``schedule:taken``: a sorted set of the ids taken to be committed (scored by ``at_frame``),
  trimmed to the newest ``taken_max``, so a late cancel is told "too late".

Taking the due entries is one Lua script, so when several replicas run a scheduler exactly one
of them gets (and commits) each entry.
"""

from __future__ import annotations

from typing import Any, cast

from control.store.base import CancelResult, ScheduledCommit
from control.store.records import dump_json, load_json, scheduled_from_json, scheduled_to_json
from control.store.redis.link import RedisLink

__all__ = ["RedisSchedule"]

# KEYS: hash, due zset, taken zset. ARGV: until frame, taken_max.
_TAKE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local out = {}
for _, id in ipairs(ids) do
  local entry = redis.call('HGET', KEYS[1], id)
  local score = redis.call('ZSCORE', KEYS[2], id)
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[3], score, id)
  if entry then table.insert(out, entry) end
end
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -tonumber(ARGV[2]) - 1)
return out
"""

# KEYS: hash, due zset, taken zset. ARGV: id.
_CANCEL = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 'cancelled'
end
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then return 'taken' end
return 'unknown'
"""


class RedisSchedule:
    def __init__(self, link: RedisLink, channel: str, taken_max: int) -> None:
        self._link = link
        self._taken_max = taken_max
        prefix = f"compositor:{channel}:schedule"
        self._keys = [prefix, f"{prefix}:due", f"{prefix}:taken"]
        self._take = link.script(_TAKE)
        self._cancel = link.script(_CANCEL)

    async def put(self, entry: ScheduledCommit) -> None:
        async with self._link.guard(self._keys[0]):
            async with self._link.client.pipeline(transaction=True) as pipe:
                pipe.hset(self._keys[0], entry.id, dump_json(scheduled_to_json(entry)))
                pipe.zadd(self._keys[1], {entry.id: entry.at_frame})
                await pipe.execute()

    def _decode(self, raw: Any) -> ScheduledCommit:
        where = f"Redis key {self._keys[0]}"
        return scheduled_from_json(load_json(raw, where), where)

    async def entries(self) -> list[ScheduledCommit]:
        async with self._link.guard(self._keys[0]):
            raw = cast(dict[bytes, bytes], await self._link.client.hgetall(self._keys[0]))
        return sorted((self._decode(value) for value in raw.values()),
                      key=lambda e: (e.at_frame, e.created_unix))

    async def cancel(self, entry_id: str) -> CancelResult:
        async with self._link.guard(self._keys[0]):
            result = await self._cancel(keys=self._keys, args=[entry_id])
        text = bytes(result).decode()
        assert text in ("cancelled", "taken", "unknown")
        return cast(CancelResult, text)

    async def take_due(self, until_frame: int) -> list[ScheduledCommit]:
        async with self._link.guard(self._keys[0]):
            raw = await self._take(keys=self._keys, args=[until_frame, self._taken_max])
        return sorted((self._decode(value) for value in raw or ()),
                      key=lambda e: (e.at_frame, e.created_unix))
