"""The embedded store's schedule: pending scheduled commits, persisted as one JSON file.

``schedule.json`` (next to the journal) holds ``{"pending": [...], "taken": [...]}`` and is
rewritten atomically on every change, so a restart keeps what was scheduled. ``taken`` remembers
the ids of the newest ``taken_max`` entries taken to be committed, so cancelling one of them can
say "too late" (409) instead of "unknown" (404). Thread-safe: callers serialise through the
store's write lock, the book also locks itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from control.errors import CorruptDataError, StoreUnavailableError
from control.store.base import CancelResult, ScheduledCommit
from control.store.files import atomic_write
from control.store.records import dump_json, load_json, scheduled_from_json, scheduled_to_json

__all__ = ["ScheduleBook"]


class ScheduleBook:
    """Pending :class:`ScheduledCommit` entries by id; ``path`` None keeps them in memory only."""

    def __init__(self, path: Path | None, taken_max: int = 1000) -> None:
        self._path = path
        self._taken_max = taken_max
        self._lock = threading.Lock()
        self._pending: dict[str, ScheduledCommit] = {}
        self._taken: OrderedDict[str, None] = OrderedDict()
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self._path is None or not self._path.exists():
            return
        where = str(self._path)
        data = load_json(self._path.read_bytes(), where)
        if not isinstance(data, dict):
            data = {}
        for number, item in enumerate(data.get("pending") or []):
            entry = scheduled_from_json(item, f"{where}: pending[{number}]")
            self._pending[entry.id] = entry
        for entry_id in data.get("taken") or []:
            if isinstance(entry_id, str):
                self._taken[entry_id] = None

    def _save(self, pending: dict[str, ScheduledCommit] | None = None) -> None:
        """Write ``pending`` (default: the current entries) and the taken ids, then keep them:
        when the write fails nothing changes, in the file or in memory."""
        pending = self._pending if pending is None else pending
        if self._path is not None:
            try:
                text = dump_json({"pending": [scheduled_to_json(e) for e in pending.values()],
                                  "taken": list(self._taken)}).encode()
            except (ValueError, UnicodeEncodeError) as exc:  # not JSON: a NaN, a lone surrogate
                raise CorruptDataError(f"cannot write the schedule: {exc}") from exc
            try:
                atomic_write(self._path, text)
            except OSError as exc:
                raise StoreUnavailableError(f"cannot write the schedule: {exc}") from exc
        self._pending = pending

    def put(self, entry: ScheduledCommit) -> None:
        with self._lock:
            self._load()
            self._save({**self._pending, entry.id: entry})

    def entries(self) -> list[ScheduledCommit]:
        with self._lock:
            self._load()
            return sorted(self._pending.values(), key=lambda e: (e.at_frame, e.created_unix))

    def cancel(self, entry_id: str) -> CancelResult:
        with self._lock:
            self._load()
            if entry_id in self._pending:
                self._save({k: e for k, e in self._pending.items() if k != entry_id})
                return "cancelled"
            return "taken" if entry_id in self._taken else "unknown"

    def take_due(self, until_frame: int) -> list[ScheduledCommit]:
        with self._lock:
            self._load()
            due = sorted((e for e in self._pending.values() if e.at_frame <= until_frame),
                         key=lambda e: (e.at_frame, e.created_unix))
            if not due:
                return []
            taken = self._taken.copy()
            for entry in due:
                taken[entry.id] = None
            while len(taken) > self._taken_max:
                taken.popitem(last=False)
            due_ids = {entry.id for entry in due}
            self._taken, before = taken, self._taken
            try:
                self._save({k: e for k, e in self._pending.items() if k not in due_ids})
            except BaseException:
                self._taken = before
                raise
            return due
