"""The Redis store: one scene per channel, shared by every process (replica) that uses the Redis.

Keys, all under ``compositor:<channel>:`` so that channels share one Redis:

- ``compositor:<channel>:scene``: a hash with ``version``, ``scene`` (the scene JSON) and
  ``token`` (the id of the last commit, which makes a commit retried after a lost reply safe).
- ``compositor:<channel>:journal``: a stream, the journal and the change feed in one. The entry
  of version ``v`` has the id ``<v>-1``, so resuming from a version is ``XREAD`` / ``XRANGE`` from
  an id; field ``r`` holds the :class:`CommitRecord` JSON. Every ``checkpoint_every``-th entry
  (and the one ``initialize`` writes) also holds the whole scene in field ``scene``: the base from
  which a subscriber resuming at an older version rebuilds the exact scene after each commit.
  ``XADD MAXLEN ~`` bounds it: ``journal_max`` entries, fewer when they are large
  (``journal_max_bytes``).
- assets: see ``assets.py`` (shared by all channels); the schedule: ``schedule.py``; on-air
  receipts: ``receipts.py``; cues: ``cues.py``; reading the journal back and following it:
  ``journal.py``; live inputs: ``inputs.py``.

A commit reads the scene (or uses the last one this store saw), applies the ops in Python and
runs one Lua script that checks the version and writes the stream entry and the new scene
atomically. When another writer won the race the script says so: with ``if_version`` that is a
``VersionConflictError``, without it the commit is rebuilt on the newer scene and tried again.

Redis may come back holding less than it had (restarted from an older append-only file, or a
failover to a replica that lagged): every scene read from it is checked against the highest
version this store has seen, and an older one is written again as the next version after it
(``_rebase``), so version numbers never repeat and every follower re-syncs from a snapshot;
:attr:`last_rollback` says when. Zero loss needs ``appendfsync always`` (docs/deploy.md).

When Redis goes away, operations fail within ``op_timeout_s`` with ``StoreUnavailableError``;
the client reconnects on the next operation. Subscribers keep retrying with capped exponential
backoff and resume from the last version they delivered, so they miss nothing the stream still
holds. Use a store from one event loop (redis-py's connections belong to the loop that made them).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from pathlib import Path
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
    Rollback,
    ScheduledCommit,
)
from control.store.records import (
    bounded_scene_text,
    dump_json,
    load_json,
    ops_to_json,
    record_to_json,
    scene_from_text,
    scene_to_text,
)
from control.store.redis.assets import RedisAssets
from control.store.redis.cues import RedisCues, RedisCueShelf
from control.store.redis.inputs import RedisInputs, RedisInputStore
from control.store.redis.journal import RedisJournal
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

# KEYS: scene hash, journal stream. ARGV: the version found, the new version, the scene JSON at
# the new version, journal_max. A base entry (a scene, no commit) at the new version; only when
# the stored version is still the one found (else another process rebased or committed first).
_REBASE = """
local version = redis.call('HGET', KEYS[1], 'version')
if not version then return {'missing', ''} end
if tonumber(version) >= tonumber(ARGV[2]) then return {'ok', version} end
if version ~= ARGV[1] then return {'moved', version} end
local added = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], ARGV[2] .. '-1',
                          'scene', ARGV[3], 'rebased_from', ARGV[1])
if type(added) == 'table' and added.err then return {'journal', added.err} end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'scene', ARGV[3])
return {'ok', ARGV[2]}
"""


class RedisStore(RedisInputStore, RedisCueShelf):  # inputs.py, cues.py
    """The Redis :class:`~control.store.base.Store`; build it with :meth:`from_url`."""

    def __init__(
        self,
        link: RedisLink,
        *,
        channel: str = "main",
        initial: Scene | None = None,
        limits: Limits = DEFAULT_LIMITS,
        journal_max: int = 1000,
        journal_max_bytes: int = 64 * 1024 * 1024,
        checkpoint_every: int = 64,
        max_attempts: int = 100,
        max_backoff_s: float = 2.0,
        clock: Callable[[], float] = time.time,
        max_cues: int = 1000,
        journal_max_age_s: float | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        """``cache_dir``: where clips are fetched to for local readers (``asset_files.py``;
        None: a temporary folder)."""
        if journal_max < 1 or checkpoint_every < 1:
            raise ValueError("journal_max and checkpoint_every must be at least 1")
        self.journal_max = journal_max
        self.journal_max_age_s = journal_max_age_s  # also drop commits older than this
        self.journal_max_bytes = journal_max_bytes
        self._link = link
        self._initial = initial if initial is not None else Scene()
        self._limits = limits
        self._checkpoint_every = checkpoint_every
        self._max_attempts = max_attempts
        self._max_backoff_s = max_backoff_s
        self._clock = clock
        self._scene_key = f"compositor:{channel}:scene"
        self._journal_key = f"compositor:{channel}:journal"
        self._assets = RedisAssets(link, cache_dir=cache_dir)
        self._schedule = RedisSchedule(link, channel, taken_max=journal_max)
        self._receipts = RedisReceipts(link, channel, keep=journal_max)
        self._inputs = RedisInputs(link, channel)
        self._cue_keys = RedisCues(link, channel, max_cues=max_cues, claims_max=journal_max)
        self._init_script = link.script(_INITIALIZE)
        self._commit_script = link.script(_COMMIT)
        self._rebase_script = link.script(_REBASE)
        self._journal = RedisJournal(
            link, self._journal_key, limits=limits, checkpoint_every=checkpoint_every,
            journal_max=journal_max, max_backoff_s=max_backoff_s, load=self._load,
            closed=lambda: self._closed)
        self._cache: Scene | None = None  # the newest scene this store has seen
        self._seen = 0  # the highest version this store has seen: Redis may never go below it
        self.last_rollback: Rollback | None = None
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
        self._seen = max(self._seen, scene.version)
        return scene

    async def _stored(self) -> Scene | None:
        async with self._link.guard(self._scene_key):
            text = await self._link.client.hget(self._scene_key, "scene")
        if text is None:
            return None
        return await self._checked(
            scene_from_text(text, f"Redis key {self._scene_key}", limits=self._limits))

    async def _checked(self, scene: Scene) -> Scene:
        """``scene``, read from Redis, remembered; rebased first when Redis went back in time."""
        if scene.version < self._seen:
            scene = await self._rebase(scene)
        return self._remember(scene)

    async def _rebase(self, found: Scene) -> Scene:
        """Redis holds an older version than this store has seen: it restarted from an older
        AOF or RDB file, or failed over to a replica that lagged. What it holds is the truth
        now, but version numbers must never repeat (clients resume by version, and one that saw
        version N must not mistake another N for it): the stored scene is written again as
        version ``seen + 1``, a base entry that makes every follower re-sync from a snapshot."""
        seen = self._seen
        value = load_json(scene_to_text(found), f"Redis key {self._scene_key}")
        value["version"] = seen + 1
        text = dump_json(value)
        async with self._link.guard(self._scene_key):
            status, reply = await self._rebase_script(
                keys=[self._scene_key, self._journal_key],
                args=[found.version, seen + 1, text, self.journal_max])
        if status == b"journal":
            raise CorruptDataError(f"Redis key {self._journal_key}: {reply.decode()}")
        stored: str | bytes | None = text
        if status != b"ok" or int(reply) != seen + 1:  # someone else moved it on: read again
            async with self._link.guard(self._scene_key):
                stored = await self._link.client.hget(self._scene_key, "scene")
        scene = scene_from_text(stored or text, f"Redis key {self._scene_key}",
                                limits=self._limits)
        self.last_rollback = Rollback(found.version, seen, scene.version, self._clock())
        self._cache = None
        log.error("Redis %s went back in time: it held version %d, this process had seen %d "
                  "(commits %d..%d are lost); re-synced to it as version %d", self._scene_key,
                  found.version, seen, found.version + 1, seen, scene.version)
        return scene

    async def _load(self) -> Scene:
        """The stored scene, writing the initial one first when there is none."""
        return await self._stored() or await self.initialize(self._initial)

    async def initialize(self, scene: Scene) -> Scene:
        async with self._link.guard(self._scene_key):
            status, value = await self._init_script(
                keys=[self._scene_key, self._journal_key],
                args=[scene.version, scene_to_text(scene), self.journal_max])
        if status == b"exists":
            return await self._checked(scene_from_text(value, f"Redis key {self._scene_key}",
                                                       limits=self._limits))
        if status == b"journal":
            raise CorruptDataError(f"Redis key {self._journal_key}: {value.decode()}")
        return await self._checked(scene)

    async def read(self) -> Scene:
        scene = await self._stored()
        if scene is None:  # an empty Redis: fine at first, a loss once versions were seen
            return await self._load() if self._seen else self._initial
        return scene

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
                if self.journal_max_age_s is not None and scene.version % 16 == 0:
                    await self._journal.trim_before(record.at_unix - self.journal_max_age_s)
                return record
            if status == b"journal":
                raise CorruptDataError(f"Redis key {self._journal_key}: {value.decode()}")
            if status == b"conflict" and if_version is not None:
                current = int(value)
                if current < self._seen:  # Redis went back in time: re-sync, then refuse
                    current = (await self._load()).version
                raise VersionConflictError(if_version, current)
            base = None  # another writer won (or the scene vanished): rebuild on the new one
        raise StoreUnavailableError(f"gave up after {self._max_attempts} conflicting commits")

    async def _write(self, expected: int, scene: Scene, record: CommitRecord,
                     token: str) -> tuple[bytes, bytes]:
        checkpoint = "1" if scene.version % self._checkpoint_every == 0 else ""
        scene_text = bounded_scene_text(scene, self._limits)  # SceneValidationError: too large
        record_text = dump_json(record_to_json(record))
        # Retention by bytes as well as by count: an entry weighs its record plus its share of
        # the checkpoints (a whole scene every checkpoint_every entries).
        weight = len(record_text) + len(scene_text) // self._checkpoint_every
        keep = max(1, min(self.journal_max, self.journal_max_bytes // max(1, weight)))
        async with self._link.guard(self._scene_key):
            status, value = await self._commit_script(
                keys=[self._scene_key, self._journal_key],
                args=[expected, scene.version, scene_text, record_text, keep, token, checkpoint])
        return bytes(status), bytes(value)

    # --- journal and change feed ------------------------------------------------------------

    async def journal(self, since: int = 0, limit: int = 1000) -> list[CommitRecord]:
        if limit <= 0:
            return []
        current = await self._stored()
        if current is None:
            return []
        return await self._journal.records(since, current.version, limit)

    async def subscribe(self, since: int | None = None) -> AsyncGenerator[Change, None]:
        async for change in self._journal.subscribe(since):
            self._seen = max(self._seen, change.version)
            yield change

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

    def upload_dir(self) -> Path:
        return self._assets.files.upload_dir()

    async def put_asset_file(self, path: Path, info: AssetInfo) -> AssetInfo:
        return await self._assets.put_file(path, info)

    async def asset_file(self, asset_id: str) -> Path:
        return await self._assets.file(asset_id)

    async def get_asset(self, asset_id: str) -> bytes:
        return await self._assets.get(asset_id)

    async def asset_info(self, asset_id: str) -> AssetInfo:
        return await self._assets.info(asset_id)

    async def list_assets(self) -> list[AssetInfo]:
        return await self._assets.list()

    async def delete_asset(self, asset_id: str) -> None:
        await self._assets.delete(asset_id)

    async def forget_asset_file(self, asset_id: str) -> bool:
        return await self._assets.forget_file(asset_id)

    async def close(self) -> None:
        """Close the connections; subscribers' iterations end. Idempotent."""
        self._closed = True
        self._assets.files.close()
        await self._link.close()
