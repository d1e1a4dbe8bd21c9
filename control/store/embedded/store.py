"""The embedded store: the scene lives in this process, persisted under a data directory.

Layout under ``data_dir`` (omit ``data_dir`` for a store that lives only in memory)::

    channels/<channel>/lock           fcntl lock: one process (one store) per channel folder
    channels/<channel>/scene.json     the base scene: the scene before the oldest journal entry
    channels/<channel>/journal.jsonl  one CommitRecord per line, appended and fsynced per commit
    channels/<channel>/schedule.json  scheduled commits waiting for their frame (schedule_book.py)
    channels/<channel>/receipts.jsonl, cues.json  on-air receipts and cues (*_book.py)
    assets/<sha256>, <sha256>.json    asset bytes and metadata, shared by channels and processes
    assets/.incoming/                 uploads being received (clips), renamed into place when kept

The journal is a write-ahead log: a commit is acknowledged once its line is fsynced, and the
current scene is rebuilt on open by replaying the journal over the base scene (so every kept
journal entry also has its exact scene, which the change feed replays). When the file holds twice
``journal_max`` lines it is compacted: the base moves forward (written atomically first), then the
journal is rewritten atomically with the newest ``journal_max`` lines. A crash at any moment thus
leaves the last acknowledged commit readable; a torn last line is cut off on open.

The channel lock and files are taken on the first scene operation: a process that only touches
assets (``compositor asset add``, ``render``) can run beside ``serve``. Commits run their file I/O
in a worker thread under a lock, so the store may be used from several threads and event loops;
subscribers receive changes on their own loop (``feed.py``).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from compositor.errors import SceneError
from compositor.scene import Op, Scene
from compositor.scene.codec import DEFAULT_LIMITS, Limits
from compositor.scene.ops import apply_ops
from control.errors import CorruptDataError, StoreUnavailableError, VersionConflictError
from control.store.assetdir import AssetDir
from control.store.base import (
    AssetInfo,
    CancelResult,
    Change,
    CommitRecord,
    Rollback,
    ScheduledCommit,
)
from control.store.embedded.cue_book import CueBook, CueShelf
from control.store.embedded.receipt_book import ReceiptBook, ReceiptShelf
from control.store.embedded.schedule_book import ScheduleBook
from control.store.feed import CLOSED, OVERFLOW, Mailbox
from control.store.files import AppendLog, DirLock, atomic_write
from control.store.records import (
    SceneSizeBound,
    dump_json,
    load_json,
    ops_from_record,
    ops_to_json,
    record_from_json,
    record_to_json,
    scene_from_text,
    scene_to_text,
)

__all__ = ["EmbeddedStore"]

T = TypeVar("T")
_Entry = tuple[CommitRecord, Scene, bytes]  # a journal entry, the scene after it, its JSON line


class EmbeddedStore(CueShelf, ReceiptShelf):
    """The embedded :class:`~control.store.base.Store`.

    ``initial`` is the scene read before anything is stored (default: an empty 1080p60 scene);
    it is written by :meth:`initialize` or by the first commit. ``queue_max`` bounds each
    subscriber's backlog, in changes.
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        channel: str = "main",
        initial: Scene | None = None,
        limits: Limits = DEFAULT_LIMITS,
        journal_max: int = 1000,
        journal_max_bytes: int = 64 * 1024 * 1024,
        queue_max: int = 1024,
        clock: Callable[[], float] = time.time,
        max_cues: int = 1000, journal_max_age_s: float | None = None,
    ) -> None:
        if journal_max < 1 or queue_max < 1:
            raise ValueError("journal_max and queue_max must be at least 1")
        self.journal_max = journal_max
        self.journal_max_bytes = journal_max_bytes
        self.journal_max_age_s = journal_max_age_s  # also drop commits older than this
        # One process owns the data directory (a lock) and fsyncs before acknowledging: the
        # store cannot be found behind what this process saw.
        self.last_rollback: Rollback | None = None
        self._limits = limits
        self._queue_max = queue_max
        self._clock = clock
        self._dir = None if data_dir is None else Path(data_dir) / "channels" / channel
        self._assets = AssetDir(None if data_dir is None else Path(data_dir) / "assets")
        self._journal = None if self._dir is None else AppendLog(self._dir / "journal.jsonl")
        self._lock = None if self._dir is None else DirLock(self._dir)
        self._write_lock = threading.Lock()  # one commit at a time, I/O included
        self._state_lock = threading.Lock()  # short: the fields below and the mailboxes
        self._opened = False
        self._closed = False
        self._persisted = False  # a base scene is on disk (or, in memory, initialised)
        self._base = initial if initial is not None else Scene()
        self._current = self._base
        self._entries: deque[_Entry] = deque()
        self._entries_bytes = 0  # JSON lines held in memory (retention by bytes as well)
        self._size = SceneSizeBound(limits)
        self._lines_in_file = 0
        self._mailboxes: set[Mailbox] = set()
        self._schedule = ScheduleBook(None if self._dir is None else self._dir / "schedule.json",
                                      taken_max=journal_max)
        self._receipts = ReceiptBook(journal_max, queue_max, self._dir)
        self._cues = CueBook(self._dir and self._dir / "cues.json", max_cues=max_cues,
                             claims_max=journal_max)

    # --- opening and recovery --------------------------------------------------------------

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` here when there is no disk I/O, else in a worker thread."""
        if self._dir is None:
            return fn(*args)
        return await asyncio.to_thread(fn, *args)

    async def _ensure_open(self) -> None:
        if self._closed:
            raise StoreUnavailableError("the store is closed")
        if not self._opened:
            await self._run(self._open)

    def _open(self) -> None:
        with self._write_lock:
            if self._opened:
                return
            if self._dir is not None:
                self._dir.mkdir(parents=True, exist_ok=True)
                assert self._lock is not None
                self._lock.acquire()
                try:
                    self._recover(self._dir)
                except BaseException:
                    self._lock.release()
                    raise
            self._opened = True

    def _recover(self, folder: Path) -> None:
        base_path = folder / "scene.json"
        if base_path.exists():
            self._base = scene_from_text(base_path.read_bytes(), str(base_path),
                                         limits=self._limits)
            self._persisted = True
        assert self._journal is not None
        lines = self._journal.read_lines()
        self._lines_in_file = len(lines)
        scene = self._base
        where = str(self._journal.path)
        for number, line in enumerate(lines, 1):
            record = record_from_json(load_json(line, f"{where}:{number}"), f"{where}:{number}")
            if record.version <= self._base.version:
                continue  # left over from a compaction interrupted after the base moved
            if record.version != scene.version + 1:
                raise CorruptDataError(f"{where}:{number}: version {record.version} follows "
                                       f"{scene.version}: the journal has a gap")
            try:
                scene = apply_ops(scene, ops_from_record(record, where, limits=self._limits),
                                  limits=self._limits, frame=record.frame)
            except SceneError as exc:
                raise CorruptDataError(f"{where}:{number}: cannot replay ({exc})") from exc
            self._append_entry((record, scene, line))
            self._persisted = True
        self._current = scene

    def _append_entry(self, entry: _Entry) -> None:
        """Keep the newest ``journal_max`` entries, fewer when their lines pass
        ``journal_max_bytes`` or they are older than ``journal_max_age_s`` (at least the newest
        one)."""
        self._entries.append(entry)
        self._entries_bytes += len(entry[2])
        age = self.journal_max_age_s
        while len(self._entries) > self.journal_max or (len(self._entries) > 1 and (
                self._entries_bytes > self.journal_max_bytes or (age is not None
                and self._entries[0][0].at_unix < entry[0].at_unix - age))):
            dropped = self._entries.popleft()
            self._entries_bytes -= len(dropped[2])
            self._base = dropped[1]

    # --- scene -----------------------------------------------------------------------------

    async def initialize(self, scene: Scene) -> Scene:
        await self._ensure_open()
        return await self._run(self._initialize, scene)

    def _initialize(self, scene: Scene) -> Scene:
        with self._write_lock:
            if self._persisted:
                return self._current
            self._write_base(scene)
            with self._state_lock:
                changed = scene != self._current
                self._base = self._current = scene
                if changed:
                    self._post(Change("snapshot", scene.version, scene))
            return scene

    def _write_base(self, scene: Scene) -> None:
        if self._dir is not None:
            atomic_write(self._dir / "scene.json", scene_to_text(scene).encode())
        self._persisted = True

    async def read(self) -> Scene:
        await self._ensure_open()
        return self._current

    async def commit(
        self, ops: Sequence[Op], *, if_version: int | None = None, author: str | None = None,
        meta: dict[str, Any] | None = None, frame: int | None = None,
    ) -> CommitRecord:
        await self._ensure_open()
        return await self._run(self._commit, tuple(ops), if_version, author, meta, frame)

    def _commit(self, ops: tuple[Op, ...], if_version: int | None, author: str | None,
                meta: dict[str, Any] | None, frame: int | None) -> CommitRecord:
        with self._write_lock:
            if self._closed:
                raise StoreUnavailableError("the store is closed")
            current = self._current
            if if_version is not None and if_version != current.version:
                raise VersionConflictError(if_version, current.version)
            # SceneError: nothing changed
            scene = apply_ops(current, ops, limits=self._limits, frame=frame)
            record = CommitRecord(
                version=scene.version, ops=ops_to_json(ops), at_unix=self._clock(), author=author,
                meta=None if meta is None else json.loads(dump_json(meta)), frame=frame,
            )
            line = dump_json(record_to_json(record)).encode()
            self._size.check(scene, len(line), len(ops))  # SceneValidationError: nothing changed
            self._persist(line)
            with self._state_lock:
                self._current = scene
                self._append_entry((record, scene, line))
                self._post(Change("commit", scene.version, scene, record))
            if self._lines_in_file > 2 * self.journal_max:
                self._compact()
            return record

    def _persist(self, line: bytes) -> None:
        if self._journal is None:
            return
        try:
            if not self._persisted:
                self._write_base(self._base)
            self._journal.append(line)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot write the journal: {exc}") from exc
        self._lines_in_file += 1

    def _compact(self) -> None:
        assert self._journal is not None
        try:
            self._write_base(self._base)  # first: replay skips lines at or below the base
            self._journal.replace([line for _, _, line in self._entries])
        except OSError:
            return  # the long journal is still valid; compaction is retried on the next commit
        self._lines_in_file = len(self._entries)

    # --- change feed and journal -----------------------------------------------------------

    def _post(self, change: Change) -> None:
        """Hand ``change`` to every subscriber; called with the state lock held, in order."""
        dead = [box for box in self._mailboxes if not box.post(change)]
        self._mailboxes.difference_update(dead)

    def _catch_up(self, since: int | None) -> list[Change]:
        current = self._current
        if since == current.version:
            return []
        if since is not None and since < current.version and self._entries \
                and self._entries[0][0].version <= since + 1:
            return [Change("commit", record.version, scene, record)
                    for record, scene, _ in self._entries if record.version > since]
        return [Change("snapshot", current.version, current)]

    async def subscribe(self, since: int | None = None) -> AsyncGenerator[Change, None]:
        await self._ensure_open()
        box = Mailbox(asyncio.get_running_loop(), self._queue_max)
        with self._state_lock:
            backlog = self._catch_up(since)
            self._mailboxes.add(box)
        try:
            last = since if since is not None else -1
            for change in backlog:
                last = change.version
                yield change
            while True:
                item = await box.get()
                if item is CLOSED:
                    return
                if item is OVERFLOW:
                    with self._state_lock:
                        change = Change("snapshot", self._current.version, self._current)
                elif isinstance(item, Change) and (item.version > last or (
                        item.kind == "snapshot" and item.version == last)):
                    change = item  # an equal-version snapshot: initialize() replaced the scene
                else:
                    continue
                last = change.version
                yield change
        finally:
            with self._state_lock:
                self._mailboxes.discard(box)

    async def journal(self, since: int = 0, limit: int = 1000) -> list[CommitRecord]:
        await self._ensure_open()
        with self._state_lock:
            records = [record for record, _, _ in self._entries if record.version > since]
        return records[:max(limit, 0)]

    # --- schedule (receipts: ReceiptShelf, cues: CueShelf) ------------------------------

    async def _locked(self, fn: Any, *args: Any) -> Any:
        await self._ensure_open()  # the channel lock: one process owns the schedule file

        def locked() -> Any:
            with self._write_lock:
                return fn(*args)

        return await self._run(locked)

    async def schedule_put(self, entry: ScheduledCommit) -> None:
        await self._locked(self._schedule.put, entry)

    async def schedule_list(self) -> list[ScheduledCommit]:
        return cast(list[ScheduledCommit], await self._locked(self._schedule.entries))

    async def schedule_cancel(self, entry_id: str) -> CancelResult:
        return cast(CancelResult, await self._locked(self._schedule.cancel, entry_id))

    async def schedule_take_due(self, until_frame: int) -> list[ScheduledCommit]:
        return cast(list[ScheduledCommit], await self._locked(self._schedule.take_due,
                                                              until_frame))

    # --- assets ----------------------------------------------------------------------------

    async def put_asset(self, data: bytes, info: AssetInfo) -> AssetInfo:
        return await self._run(self._assets.put, data, info)

    def upload_dir(self) -> Path:
        return self._assets.upload_dir()

    async def put_asset_file(self, path: Path, info: AssetInfo) -> AssetInfo:
        return await asyncio.to_thread(self._assets.put_file, path, info)

    async def asset_file(self, asset_id: str) -> Path:
        return await asyncio.to_thread(self._assets.file, asset_id)

    async def get_asset(self, asset_id: str) -> bytes:
        return await self._run(self._assets.get, asset_id)

    async def asset_info(self, asset_id: str) -> AssetInfo:
        return await self._run(self._assets.info, asset_id)

    async def list_assets(self) -> list[AssetInfo]:
        return await self._run(self._assets.list)

    async def delete_asset(self, asset_id: str) -> None:
        await self._run(self._assets.delete, asset_id)

    async def forget_asset_file(self, asset_id: str) -> bool:
        return False  # the asset's only file is the stored one, removed with it

    async def close(self) -> None:
        """Release the folder; subscribers' iterations end. Idempotent."""
        await self._run(self._close)

    def _close(self) -> None:
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
            self._receipts.close()
            with self._state_lock:
                for box in self._mailboxes:
                    box.close()
                self._mailboxes.clear()
            if self._journal is not None:
                self._journal.close()
            if self._lock is not None:
                self._lock.release()
            self._assets.close()
