"""The embedded store's on-air receipts: the newest ``keep`` in memory, relayed in process.

With a ``folder`` (the channel's), each receipt is also appended to ``<folder>/receipts.jsonl``,
one JSON line, and read back on open, so the as-run log and ``compositor render --from-journal``
know what went on air after a restart. Lines are not fsynced (a crash may lose the last few
receipts, never the journal); the file is rewritten with the newest ``keep`` when it holds twice
as many, and a damaged line is skipped. Listeners get each new receipt on their own event loop
(put from any thread, e.g. the encode thread's relay).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import OrderedDict
from collections.abc import AsyncGenerator
from pathlib import Path

from control.errors import CorruptDataError
from control.store.base import Receipt
from control.store.files import atomic_write
from control.store.records import dump_json, load_json, receipt_from_json, receipt_to_json

__all__ = ["ReceiptBook"]


class ReceiptBook:
    def __init__(self, keep: int, queue_max: int = 1024, folder: Path | None = None) -> None:
        self._keep = keep
        self._queue_max = queue_max
        self._lock = threading.Lock()
        self._receipts: OrderedDict[int, Receipt] = OrderedDict()
        self._path = path = None if folder is None else folder / "receipts.jsonl"
        self._lines = 0
        if path is not None and path.exists():
            self._read(path)
        self._listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Receipt | None]]] \
            = set()

    def put(self, receipt: Receipt) -> bool:
        with self._lock:
            if receipt.version in self._receipts:
                return False
            self._receipts[receipt.version] = receipt
            while len(self._receipts) > self._keep:
                self._receipts.popitem(last=False)
            self._write(receipt)
            listeners = list(self._listeners)
        for loop, box in listeners:
            with contextlib.suppress(RuntimeError):  # that listener's loop is gone
                loop.call_soon_threadsafe(self._offer, box, receipt)
        return True

    def _read(self, path: Path) -> None:
        for number, line in enumerate(path.read_bytes().splitlines(), 1):
            try:
                receipt = receipt_from_json(load_json(line, f"{path}:{number}"), str(path))
            except CorruptDataError:
                continue  # a torn last line, or damage: that receipt is lost
            self._receipts.setdefault(receipt.version, receipt)
            self._lines += 1
        while len(self._receipts) > self._keep:
            self._receipts.popitem(last=False)

    def _write(self, receipt: Receipt) -> None:
        """Append ``receipt`` (the lock is held); an I/O error loses it on disk only."""
        if self._path is None:
            return
        try:
            if self._lines >= 2 * self._keep:
                atomic_write(self._path, "".join(dump_json(receipt_to_json(r)) + "\n" for r in
                                                 self._receipts.values()).encode())
                self._lines = len(self._receipts)
                return
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("ab") as file:
                file.write(dump_json(receipt_to_json(receipt)).encode() + b"\n")
            self._lines += 1
        except OSError:
            return

    @staticmethod
    def _offer(box: asyncio.Queue[Receipt | None], item: Receipt | None) -> None:
        # A listener that cannot keep up loses receipts rather than growing without bound;
        # the end marker always gets in.
        if item is None and box.full():
            box.get_nowait()
        with contextlib.suppress(asyncio.QueueFull):
            box.put_nowait(item)

    def get(self, version: int) -> Receipt | None:
        with self._lock:
            return self._receipts.get(version)

    def subscribe(self) -> AsyncGenerator[Receipt, None]:
        """Receipts put from this call on (registered at once, not at the first iteration);
        call it on the event loop that iterates."""
        listener = (asyncio.get_running_loop(), asyncio.Queue[Receipt | None](self._queue_max))
        with self._lock:
            self._listeners.add(listener)
        return self._follow(listener)

    async def _follow(
        self, listener: tuple[asyncio.AbstractEventLoop, asyncio.Queue[Receipt | None]],
    ) -> AsyncGenerator[Receipt, None]:
        try:
            while (item := await listener[1].get()) is not None:
                yield item
        finally:
            with self._lock:
                self._listeners.discard(listener)

    def close(self) -> None:
        """End every subscription."""
        with self._lock:
            listeners = list(self._listeners)
        for loop, box in listeners:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._offer, box, None)
