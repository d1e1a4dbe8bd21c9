"""The embedded store's on-air receipts: the newest ``keep`` in memory, relayed in process.

Receipts are not persisted: they describe what this process's pipeline put on air, and a
restarted process starts a new program. Listeners get each new receipt on their own event loop
(put from any thread, e.g. the encode thread's relay).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import OrderedDict
from collections.abc import AsyncGenerator

from control.store.base import Receipt

__all__ = ["ReceiptBook"]


class ReceiptBook:
    def __init__(self, keep: int, queue_max: int = 1024) -> None:
        self._keep = keep
        self._queue_max = queue_max
        self._lock = threading.Lock()
        self._receipts: OrderedDict[int, Receipt] = OrderedDict()
        self._listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Receipt | None]]] \
            = set()

    def put(self, receipt: Receipt) -> bool:
        with self._lock:
            if receipt.version in self._receipts:
                return False
            self._receipts[receipt.version] = receipt
            while len(self._receipts) > self._keep:
                self._receipts.popitem(last=False)
            listeners = list(self._listeners)
        for loop, box in listeners:
            with contextlib.suppress(RuntimeError):  # that listener's loop is gone
                loop.call_soon_threadsafe(self._offer, box, receipt)
        return True

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
