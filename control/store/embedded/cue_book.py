"""The embedded store's cues and take claims.

Cues are persisted in ``channels/<channel>/cues.json`` (written atomically on every change; a
store without a data directory keeps them in memory). Take claims (``claim_take``) live in
memory only: a restarted process forgets which request ids it took, as it forgets receipts.

:class:`CueShelf` gives a store class the cue methods of the ``Store`` protocol over the
``_cues`` :class:`CueBook` it makes.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from control.errors import CueNotFoundError, QuotaExceededError
from control.store.base import Cue, TakeClaim
from control.store.cue_records import cue_from_json, cue_to_json
from control.store.files import atomic_write
from control.store.records import dump_json, load_json

__all__ = ["CueBook", "CueShelf"]

_PENDING = -1  # a claim whose take is under way
T = TypeVar("T")


class CueBook:
    """Thread-safe. ``max_cues`` bounds the cues, ``claims_max`` the take claims kept."""

    def __init__(self, path: Path | None, *, max_cues: int = 1000,
                 claims_max: int = 1000) -> None:
        self._path = path
        self.max_cues = max_cues
        self._claims_max = claims_max
        self._lock = threading.Lock()
        self._cues: dict[str, Cue] | None = None  # read on first use
        self._claims: OrderedDict[str, int] = OrderedDict()

    @property
    def on_disk(self) -> bool:
        return self._path is not None

    def _loaded(self) -> dict[str, Cue]:
        if self._cues is None:
            self._cues = {}
            if self._path is not None and self._path.exists():
                where = str(self._path)
                items = load_json(self._path.read_bytes(), where)
                for item in items if isinstance(items, list) else [None]:
                    cue = cue_from_json(item, where)
                    self._cues[cue.id] = cue
        return self._cues

    def _save(self, cues: dict[str, Cue]) -> None:
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            text = dump_json([cue_to_json(cue) for cue in cues.values()])
            atomic_write(self._path, text.encode())

    def put(self, cue: Cue) -> Cue:
        with self._lock:
            cues = dict(self._loaded())
            if cue.id not in cues and len(cues) >= self.max_cues:
                raise QuotaExceededError(f"there are {len(cues)} cues, the most allowed "
                                         f"({self.max_cues}): delete some first")
            cues[cue.id] = cue
            self._save(cues)
            self._cues = cues
            return cue

    def get(self, cue_id: str) -> Cue:
        with self._lock:
            cue = self._loaded().get(cue_id)
        if cue is None:
            raise CueNotFoundError(cue_id)
        return cue

    def list(self) -> list[Cue]:
        with self._lock:
            cues = list(self._loaded().values())
        return sorted(cues, key=lambda cue: (cue.name, cue.id))

    def delete(self, cue_id: str) -> None:
        with self._lock:
            cues = dict(self._loaded())
            if cues.pop(cue_id, None) is None:
                raise CueNotFoundError(cue_id)
            self._save(cues)
            self._cues = cues

    def claim(self, key: str) -> TakeClaim:
        with self._lock:
            version = self._claims.get(key)
            if version is None:
                self._claims[key] = _PENDING
                while len(self._claims) > self._claims_max:
                    self._claims.popitem(last=False)
                return "claimed"
            return "pending" if version == _PENDING else version

    def settle(self, key: str, version: int | None) -> None:
        with self._lock:
            if version is None:
                self._claims.pop(key, None)
            elif key in self._claims:
                self._claims[key] = version


class CueShelf:
    """The cue part of the ``Store`` protocol, over ``self._cues`` (set by the store)."""

    _cues: CueBook

    async def _cue_io(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn`` in a worker thread when it may touch the disk."""
        if self._cues.on_disk:
            return await asyncio.to_thread(fn, *args)
        return fn(*args)

    async def put_cue(self, cue: Cue) -> Cue:
        return await self._cue_io(self._cues.put, cue)

    async def get_cue(self, cue_id: str) -> Cue:
        return await self._cue_io(self._cues.get, cue_id)

    async def list_cues(self) -> list[Cue]:
        return await self._cue_io(self._cues.list)

    async def delete_cue(self, cue_id: str) -> None:
        await self._cue_io(self._cues.delete, cue_id)

    async def claim_take(self, key: str) -> TakeClaim:
        return self._cues.claim(key)

    async def settle_take(self, key: str, version: int | None) -> None:
        self._cues.settle(key, version)
