"""The Redis journal stream: reading entries back, and the change feed that follows it.

The stream (``compositor:<channel>:journal``) is both the journal and the change feed: the entry
of version ``v`` has the id ``<v>-1``; field ``r`` holds the :class:`CommitRecord` JSON and, on
checkpoints, field ``scene`` the whole scene after it. An entry with a ``scene`` and no ``r`` is a
base (written by ``initialize`` or by a rebase after Redis went back in time): a follower that
meets one starts over from a snapshot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from compositor.errors import SceneError
from compositor.scene import Scene
from compositor.scene.codec import Limits
from compositor.scene.ops import apply_ops
from control.errors import CorruptDataError, StoreUnavailableError
from control.store.base import Change, CommitRecord
from control.store.records import load_json, ops_from_record, record_from_json, scene_from_text
from control.store.redis.link import RedisLink

__all__ = ["Entry", "RedisJournal"]

log = logging.getLogger(__name__)

Entry = tuple[int, dict[bytes, bytes]]  # a stream entry: version, fields


class RedisJournal:
    """Reads the journal stream of one channel; the store writes it (in its Lua scripts).

    ``load`` returns the stored scene (writing the initial one if there is none, and re-basing
    it when Redis went back in time: see ``RedisStore``); ``closed`` says when the store has
    closed, which ends every feed.
    """

    def __init__(self, link: RedisLink, key: str, *, limits: Limits, checkpoint_every: int,
                 journal_max: int, max_backoff_s: float, load: Callable[[], Awaitable[Scene]],
                 closed: Callable[[], bool]) -> None:
        self.key = key
        self._link = link
        self._limits = limits
        self._checkpoint_every = checkpoint_every
        self._journal_max = journal_max
        self._max_backoff_s = max_backoff_s
        self._load = load
        self._closed = closed

    # --- reading entries ---------------------------------------------------------------------

    def entries(self, raw: Any) -> list[Entry]:
        """Stream entries as redis-py returns them (``[(id, {field: value})]``), checked."""
        entries = []
        for raw_id, fields in raw or ():
            try:
                version = int(bytes(raw_id).split(b"-", 1)[0])
            except ValueError as exc:
                raise CorruptDataError(f"Redis key {self.key}: entry id {raw_id!r}") from exc
            entries.append((version, dict(fields)))
        return entries

    def record(self, entry: Entry) -> CommitRecord | None:
        """The commit of a stream entry; None for an entry that only holds a scene."""
        version, fields = entry
        if b"r" not in fields:
            return None
        where = f"Redis key {self.key} entry {version}"
        record = record_from_json(load_json(fields[b"r"], where), where)
        if record.version != version:
            raise CorruptDataError(f"{where}: holds version {record.version}")
        return record

    async def trim_before(self, cutoff_unix: float, scan: int = 256) -> None:
        """Drop the oldest commits made before ``cutoff_unix`` (retention by age; at most
        ``scan`` are looked at per call, the newest entry is always kept)."""
        oldest = await self.range(0, None, scan)
        keep_from = None
        for entry in oldest[:-1]:
            record = self.record(entry)
            if record is not None and record.at_unix >= cutoff_unix:
                break
            keep_from = entry[0] + 1
        if keep_from is not None:
            async with self._link.guard(self.key):
                await self._link.client.xtrim(self.key, minid=f"{keep_from}-0", approximate=False)

    async def range(self, low: int, high: int | None, count: int) -> list[Entry]:
        """Entries of versions ``low`` to ``high`` (None: the newest), oldest first."""
        async with self._link.guard(self.key):
            raw: Any = await self._link.client.xrange(
                self.key, min=f"{low}-0", max="+" if high is None else f"{high}-1", count=count)
        return self.entries(raw)

    async def records(self, since: int, current: int, limit: int) -> list[CommitRecord]:
        """Up to ``limit`` commits after ``since``, of those the stream keeps below ``current``."""
        low = max(since, current - self._journal_max) + 1  # MAXLEN ~ keeps a few more
        records = [self.record(entry) for entry in await self.range(low, None, limit + 1)]
        return [record for record in records if record is not None][:limit]

    # --- the change feed ---------------------------------------------------------------------

    async def subscribe(self, since: int | None) -> AsyncGenerator[Change, None]:
        backoff = _Backoff(self._max_backoff_s)
        while True:
            try:
                scene, backlog = await self._start(since)
                break
            except StoreUnavailableError as exc:
                if self._closed():
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
        if since is not None and current.version - self._journal_max <= since < current.version:
            replay = await self._replay(since, current)
            if replay is not None:
                return current, replay
        return current, [Change("snapshot", current.version, current)]

    async def _replay(self, since: int, current: Scene) -> list[Change] | None:
        """The commits after ``since`` with their exact scenes, rebuilt from the newest scene
        checkpoint at or before ``since``; None when the stream no longer holds them."""
        async with self._link.guard(self.key):
            older: Any = await self._link.client.xrevrange(
                self.key, max=f"{since}-1", min="-", count=self._checkpoint_every + 1)
        base = None
        for version, fields in self.entries(older):
            if b"scene" in fields:
                where = f"Redis key {self.key} entry {version}"
                base = scene_from_text(fields[b"scene"], where, limits=self._limits)
                break
        if base is None:
            return None
        changes: list[Change] = []
        scene = base
        while scene.version < current.version:
            batch = await self.range(scene.version + 1, current.version, 500)
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
            log.error("replaying %s did not rebuild version %d; sending a snapshot", self.key,
                      current.version)
            return None
        return changes

    def _advance(self, scene: Scene, entry: Entry) -> Change | None:
        """The commit change of ``entry`` applied to ``scene``; None when the entry does not
        follow ``scene`` or cannot be applied (a base, a gap, a reset store, damage)."""
        try:
            record = self.record(entry)
            if record is None or record.version != scene.version + 1:
                return None
            where = f"Redis key {self.key}"
            after = apply_ops(scene, ops_from_record(record, where, limits=self._limits),
                              limits=self._limits, frame=record.frame)
        except (CorruptDataError, SceneError) as exc:
            log.error("cannot follow %s at version %d: %s", self.key, entry[0], exc)
            return None
        return Change("commit", after.version, after, record)

    async def _follow(self, scene: Scene, backoff: _Backoff) -> AsyncGenerator[Change, None]:
        """Live changes after ``scene``, across lost connections, until the store closes."""
        resync = False
        while not self._closed():
            try:
                if resync:  # start over from a snapshot
                    scene, resync = await self._load(), False
                    yield Change("snapshot", scene.version, scene)
                entries = await self._read_after(scene.version)
                if backoff.failed and not entries:
                    # Back after an outage: a Redis that lost its data went back in time.
                    resync = (await self._load()).version < scene.version
                backoff.reset()
            except (StoreUnavailableError, CorruptDataError) as exc:
                if self._closed():  # close() broke the connection under us: that is the end
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

    async def _read_after(self, version: int) -> list[Entry]:
        timeout = self._link.block_s + self._link.op_timeout_s
        async with self._link.guard(self.key, timeout):
            reply: Any = await self._link.client.xread(
                {self.key: f"{version}-1"}, count=256, block=int(self._link.block_s * 1000))
        return self.entries(reply[0][1]) if reply else []


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
