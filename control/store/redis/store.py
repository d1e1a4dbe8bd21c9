"""The Redis store: one scene per channel, shared by every process (replica) that uses the Redis.

Keys, all under ``compositor:<channel>:`` so that channels share one Redis:

- ``compositor:<channel>:scene``: a hash with ``version``, ``scene`` (the scene JSON) and
  ``token`` (the id of the last commit, which makes a commit retried after a lost reply safe).
- ``compositor:<channel>:journal``: a stream, the journal and the change feed in one. The entry
  of version ``v`` has the id ``<v>-1``, so resuming from a version is ``XREAD`` / ``XRANGE`` from
  an id; field ``r`` holds the :class:`CommitRecord` JSON. Every ``checkpoint_every``-th entry
  (and the one ``initialize`` writes) also holds the whole scene in field ``scene``: the base from
  which a subscriber resuming at an older version rebuilds the exact scene after each commit.
  ``XADD MAXLEN ~ journal_max`` bounds it.
- assets: see ``redis_assets.py`` (shared by all channels); the schedule: ``redis_schedule.py``;
  on-air receipts: ``redis_receipts.py``.

A commit reads the scene (or uses the last one this store saw), applies the ops in Python and
runs one Lua script that checks the version and writes the stream entry and the new scene
atomically. When another writer won the race the script says so: with ``if_version`` that is a
``VersionConflictError``, without it the commit is rebuilt on the newer scene and tried again.

When Redis goes away, operations fail within ``op_timeout_s`` with ``StoreUnavailableError``;
the client reconnects on the next operation. Subscribers keep retrying with capped exponential
backoff and resume from the last version they delivered, so they miss nothing the stream still
holds. Use a store from one event loop (redis-py's connections belong to the loop that made them).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any

from compositor.errors import SceneError
from compositor.scene import Op, Scene
from compositor.scene.codec import DEFAULT_LIMITS, Limits
from compositor.scene.ops import apply_ops
from control.errors import CorruptDataError, StoreUnavailableError, VersionConflictError
from control.store.base import (
    AssetInfo,
    CancelResult,
    Change,
    CommitRecord,
    Receipt,
    ScheduledCommit,
)
from control.store.records import (
    dump_json,
    load_json,
    ops_from_record,
    ops_to_json,
    record_from_json,
    record_to_json,
    scene_from_text,
    scene_to_text,
)
from control.store.redis.assets import RedisAssets
from control.store.redis.link import RedisLink
from control.store.redis.receipts import RedisReceipts
from control.store.redis.schedule import RedisSchedule

__all__ = ["RedisStore"]

log = logging.getLogger(__name__)

# KEYS: scene hash, journal stream. ARGV: version, scene JSON, journal_max.
_INITIALIZE = """
local current = redis.call('HGET', KEYS[1], 'scene')
if current then return {'exists', current} end
local added = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], ARGV[1] .. '-1',
                          'scene', ARGV[2])
if type(added) == 'table' and added.err then return {'journal', added.err} end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'scene', ARGV[2])
return {'ok', ARGV[1]}
"""

# KEYS: scene hash, journal stream. ARGV: expected version, new version, scene JSON, record JSON,
# journal_max, commit token, '1' to keep the scene in the entry (a checkpoint).
_COMMIT = """
local state = redis.call('HMGET', KEYS[1], 'version', 'token')
if state[2] == ARGV[6] then return {'ok', state[1]} end
if not state[1] then return {'missing', ''} end
if state[1] ~= ARGV[1] then return {'conflict', state[1]} end
local added
if ARGV[7] == '1' then
  added = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], ARGV[2] .. '-1',
                      'r', ARGV[4], 'scene', ARGV[3])
else
  added = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], ARGV[2] .. '-1', 'r', ARGV[4])
end
if type(added) == 'table' and added.err then return {'journal', added.err} end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'scene', ARGV[3], 'token', ARGV[6])
return {'ok', ARGV[2]}
"""

_Entry = tuple[int, dict[bytes, bytes]]  # a stream entry: version, fields


class RedisStore:
    """The Redis :class:`~control.store.base.Store`; build it with :meth:`from_url`."""

    def __init__(
        self,
        link: RedisLink,
        *,
        channel: str = "main",
        initial: Scene | None = None,
        limits: Limits = DEFAULT_LIMITS,
        journal_max: int = 1000,
        checkpoint_every: int = 64,
        max_attempts: int = 100,
        max_backoff_s: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if journal_max < 1 or checkpoint_every < 1:
            raise ValueError("journal_max and checkpoint_every must be at least 1")
        self.journal_max = journal_max
        self._link = link
        self._initial = initial if initial is not None else Scene()
        self._limits = limits
        self._checkpoint_every = checkpoint_every
        self._max_attempts = max_attempts
        self._max_backoff_s = max_backoff_s
        self._clock = clock
        self._scene_key = f"compositor:{channel}:scene"
        self._journal_key = f"compositor:{channel}:journal"
        self._assets = RedisAssets(link)
        self._schedule = RedisSchedule(link, channel, taken_max=journal_max)
        self._receipts = RedisReceipts(link, channel, keep=journal_max)
        self._init_script = link.script(_INITIALIZE)
        self._commit_script = link.script(_COMMIT)
        self._cache: Scene | None = None  # the newest scene this store has seen
        self._closed = False

    @classmethod
    def from_url(cls, url: str, *, op_timeout_s: float = 5.0, **kwargs: Any) -> RedisStore:
        """A store on ``redis://[:password@]host:port/db``, ``rediss://...`` (TLS) or
        ``unix://...``; nothing connects until the first operation."""
        return cls(RedisLink(url, op_timeout_s=op_timeout_s), **kwargs)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def connected(self) -> bool:
        """Whether the last operation reached Redis."""
        return self._link.connected

    # --- scene -----------------------------------------------------------------------------

    def _remember(self, scene: Scene) -> Scene:
        if self._cache is None or scene.version >= self._cache.version:
            self._cache = scene
        return scene

    async def _stored(self) -> Scene | None:
        async with self._link.guard(self._scene_key):
            text = await self._link.client.hget(self._scene_key, "scene")
        if text is None:
            return None
        return self._remember(scene_from_text(text, f"Redis key {self._scene_key}",
                                              limits=self._limits))

    async def _load(self) -> Scene:
        """The stored scene, writing the initial one first when there is none."""
        return await self._stored() or await self.initialize(self._initial)

    async def initialize(self, scene: Scene) -> Scene:
        async with self._link.guard(self._scene_key):
            status, value = await self._init_script(
                keys=[self._scene_key, self._journal_key],
                args=[scene.version, scene_to_text(scene), self.journal_max])
        if status == b"exists":
            return self._remember(scene_from_text(value, f"Redis key {self._scene_key}",
                                                  limits=self._limits))
        if status == b"journal":
            raise CorruptDataError(f"Redis key {self._journal_key}: {value.decode()}")
        return self._remember(scene)

    async def read(self) -> Scene:
        return await self._stored() or self._initial

    async def commit(
        self, ops: Sequence[Op], *, if_version: int | None = None, author: str | None = None,
        meta: dict[str, Any] | None = None, frame: int | None = None,
    ) -> CommitRecord:
        ops = tuple(ops)
        ops_json = ops_to_json(ops)
        meta = None if meta is None else json.loads(dump_json(meta))
        token = secrets.token_hex(12)
        base = self._cache
        for _ in range(self._max_attempts):
            fresh = base is None or (if_version is not None and base.version != if_version)
            if fresh or base is None:
                base = await self._load()  # the cached scene may be stale: ask
            if if_version is not None and base.version != if_version:
                raise VersionConflictError(if_version, base.version)
            try:
                # SceneError: nothing written
                scene = apply_ops(base, ops, limits=self._limits, frame=frame)
            except SceneError:
                if fresh:
                    raise
                # The cached scene may be behind another replica's commits (the layer the ops
                # name may exist by now): judge the ops against the stored scene only.
                base = None
                continue
            record = CommitRecord(scene.version, ops_json, self._clock(), author, meta, frame)
            status, value = await self._write(base.version, scene, record, token)
            if status == b"ok":
                self._remember(scene)
                return record
            if status == b"journal":
                raise CorruptDataError(f"Redis key {self._journal_key}: {value.decode()}")
            if status == b"conflict" and if_version is not None:
                raise VersionConflictError(if_version, int(value))
            base = None  # another writer won (or the scene vanished): rebuild on the new one
        raise StoreUnavailableError(f"gave up after {self._max_attempts} conflicting commits")

    async def _write(self, expected: int, scene: Scene, record: CommitRecord,
                     token: str) -> tuple[bytes, bytes]:
        checkpoint = "1" if scene.version % self._checkpoint_every == 0 else ""
        async with self._link.guard(self._scene_key):
            status, value = await self._commit_script(
                keys=[self._scene_key, self._journal_key],
                args=[expected, scene.version, scene_to_text(scene),
                      dump_json(record_to_json(record)), self.journal_max, token, checkpoint])
        return bytes(status), bytes(value)

    # --- journal ---------------------------------------------------------------------------

    def _entries(self, raw: Any) -> list[_Entry]:
        """Stream entries as redis-py returns them (``[(id, {field: value})]``), checked."""
        entries = []
        for raw_id, fields in raw or ():
            try:
                version = int(bytes(raw_id).split(b"-", 1)[0])
            except ValueError as exc:
                raise CorruptDataError(
                    f"Redis key {self._journal_key}: entry id {raw_id!r}") from exc
            entries.append((version, dict(fields)))
        return entries

    def _record(self, entry: _Entry) -> CommitRecord | None:
        """The commit of a stream entry; None for an entry that only holds a scene."""
        version, fields = entry
        if b"r" not in fields:
            return None
        where = f"Redis key {self._journal_key} entry {version}"
        record = record_from_json(load_json(fields[b"r"], where), where)
        if record.version != version:
            raise CorruptDataError(f"{where}: holds version {record.version}")
        return record

    async def _range(self, low: int, high: int | None, count: int) -> list[_Entry]:
        """Entries of versions ``low`` to ``high`` (None: the newest), oldest first."""
        async with self._link.guard(self._journal_key):
            raw: Any = await self._link.client.xrange(
                self._journal_key, min=f"{low}-0", max="+" if high is None else f"{high}-1",
                count=count)
        return self._entries(raw)

    async def journal(self, since: int = 0, limit: int = 1000) -> list[CommitRecord]:
        if limit <= 0:
            return []
        current = await self._stored()
        if current is None:
            return []
        low = max(since, current.version - self.journal_max) + 1  # MAXLEN ~ keeps a few more
        records = [self._record(entry) for entry in await self._range(low, None, limit + 1)]
        return [record for record in records if record is not None][:limit]

    # --- change feed -----------------------------------------------------------------------

    async def subscribe(self, since: int | None = None) -> AsyncGenerator[Change, None]:
        backoff = _Backoff(self._max_backoff_s)
        while True:
            try:
                scene, backlog = await self._start(since)
                break
            except StoreUnavailableError as exc:
                if self._closed:
                    return
                await backoff.wait(exc)
        for change in backlog:
            yield change
        async for change in self._follow(scene, backoff):
            yield change

    async def _start(self, since: int | None) -> tuple[Scene, list[Change]]:
        """The scene the live feed continues from, and the changes to deliver first."""
        current = await self._load()
        if since == current.version:
            return current, []
        # MAXLEN ~ keeps a few more entries than journal_max; replay only what journal() shows.
        if since is not None and current.version - self.journal_max <= since < current.version:
            replay = await self._replay(since, current)
            if replay is not None:
                return current, replay
        return current, [Change("snapshot", current.version, current)]

    async def _replay(self, since: int, current: Scene) -> list[Change] | None:
        """The commits after ``since`` with their exact scenes, rebuilt from the newest scene
        checkpoint at or before ``since``; None when the stream no longer holds them."""
        async with self._link.guard(self._journal_key):
            older: Any = await self._link.client.xrevrange(
                self._journal_key, max=f"{since}-1", min="-", count=self._checkpoint_every + 1)
        base = None
        for version, fields in self._entries(older):
            if b"scene" in fields:
                where = f"Redis key {self._journal_key} entry {version}"
                base = scene_from_text(fields[b"scene"], where, limits=self._limits)
                break
        if base is None:
            return None
        changes: list[Change] = []
        scene = base
        while scene.version < current.version:
            batch = await self._range(scene.version + 1, current.version, 500)
            if not batch:
                return None
            for entry in batch:
                change = self._advance(scene, entry)
                if change is None:
                    return None
                scene = change.scene
                if scene.version > since:
                    changes.append(change)
        if scene != current:
            log.error("replaying %s did not rebuild version %d; sending a snapshot",
                      self._journal_key, current.version)
            return None
        return changes

    def _advance(self, scene: Scene, entry: _Entry) -> Change | None:
        """The commit change of ``entry`` applied to ``scene``; None when the entry does not
        follow ``scene`` or cannot be applied (a gap, a reset store, damage)."""
        try:
            record = self._record(entry)
            if record is None or record.version != scene.version + 1:
                return None
            where = f"Redis key {self._journal_key}"
            after = apply_ops(scene, ops_from_record(record, where, limits=self._limits),
                              limits=self._limits, frame=record.frame)
        except (CorruptDataError, SceneError) as exc:
            log.error("cannot follow %s at version %d: %s", self._journal_key, entry[0], exc)
            return None
        return Change("commit", after.version, after, record)

    async def _follow(self, scene: Scene, backoff: _Backoff) -> AsyncGenerator[Change, None]:
        """Live changes after ``scene``, across lost connections, until the store closes."""
        resync = False
        while not self._closed:
            try:
                if resync:  # start over from a snapshot
                    scene = await self._load()
                    resync = False
                    yield Change("snapshot", scene.version, scene)
                entries = await self._read_after(scene.version)
                if backoff.failed and not entries:
                    # Back after an outage: a Redis that lost its data went back in time.
                    resync = (await self._load()).version < scene.version
                backoff.reset()
            except (StoreUnavailableError, CorruptDataError) as exc:
                if self.closed:  # close() broke the connection under us: that is the end
                    return
                await backoff.wait(exc)
                continue
            for entry in entries:
                change = self._advance(scene, entry)
                if change is None:
                    resync = True
                    break
                scene = change.scene
                yield change

    async def _read_after(self, version: int) -> list[_Entry]:
        timeout = self._link.block_s + self._link.op_timeout_s
        async with self._link.guard(self._journal_key, timeout):
            reply: Any = await self._link.client.xread(
                {self._journal_key: f"{version}-1"}, count=256,
                block=int(self._link.block_s * 1000))
        return self._entries(reply[0][1]) if reply else []

    # --- schedule and receipts -------------------------------------------------------------

    async def schedule_put(self, entry: ScheduledCommit) -> None:
        await self._schedule.put(entry)

    async def schedule_list(self) -> list[ScheduledCommit]:
        return await self._schedule.entries()

    async def schedule_cancel(self, entry_id: str) -> CancelResult:
        return await self._schedule.cancel(entry_id)

    async def schedule_take_due(self, until_frame: int) -> list[ScheduledCommit]:
        return await self._schedule.take_due(until_frame)

    async def put_receipt(self, receipt: Receipt) -> bool:
        return await self._receipts.put(receipt)

    async def get_receipt(self, version: int) -> Receipt | None:
        return await self._receipts.get(version)

    def subscribe_receipts(self) -> AsyncGenerator[Receipt, None]:
        return self._receipts.subscribe(lambda: self._closed)

    # --- assets ----------------------------------------------------------------------------

    async def put_asset(self, data: bytes, info: AssetInfo) -> AssetInfo:
        return await self._assets.put(data, info)

    async def get_asset(self, asset_id: str) -> bytes:
        return await self._assets.get(asset_id)

    async def asset_info(self, asset_id: str) -> AssetInfo:
        return await self._assets.info(asset_id)

    async def list_assets(self) -> list[AssetInfo]:
        return await self._assets.list()

    async def delete_asset(self, asset_id: str) -> None:
        await self._assets.delete(asset_id)

    async def close(self) -> None:
        """Close the connections; subscribers' iterations end. Idempotent."""
        self._closed = True
        await self._link.close()


class _Backoff:
    """Capped exponential backoff for a subscriber that lost Redis: 50 ms doubling to the cap."""

    def __init__(self, cap_s: float) -> None:
        self._cap_s = cap_s
        self._delay_s = 0.05
        self.failed = False

    async def wait(self, exc: Exception) -> None:
        if not self.failed:
            log.warning("change feed interrupted, retrying: %s", exc)
        self.failed = True
        await asyncio.sleep(self._delay_s)
        self._delay_s = min(self._delay_s * 2, self._cap_s)

    def reset(self) -> None:
        if self.failed:
            log.info("change feed resumed")
        self.failed = False
        self._delay_s = 0.05
