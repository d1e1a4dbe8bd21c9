"""The in-process side of a change feed: one bounded mailbox per subscriber.

Writers (any thread) :meth:`Mailbox.post` changes; the subscriber's event loop receives them in
order through :meth:`Mailbox.get`. Posting never blocks: each post is handed to the subscriber's
loop with ``call_soon_threadsafe`` (which keeps order), and a mailbox holding ``capacity`` items
drops them all and reports :data:`OVERFLOW` once, so the subscriber resynchronises from a
snapshot instead of slowing the writer down.

The reading side of every feed is :func:`follow`: the one follow-and-retry loop of the hub, the
receipt relay and the render side's scene feeder.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import NoReturn, TypeVar

from control.store.base import Change

__all__ = ["CLOSED", "OVERFLOW", "Mailbox", "Signal", "follow"]

T = TypeVar("T")


class Signal(enum.Enum):
    OVERFLOW = "overflow"  # changes were dropped: read a snapshot
    CLOSED = "closed"  # the store closed: end the iteration


OVERFLOW = Signal.OVERFLOW
CLOSED = Signal.CLOSED


class Mailbox:
    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int) -> None:
        self.loop = loop
        self.capacity = capacity
        self._items: deque[Change] = deque()
        self._overflow = False
        self._closed = False
        self._ready = asyncio.Event()

    def post(self, change: Change) -> bool:
        """Queue ``change`` from any thread; False when the subscriber's loop is gone."""
        try:
            self.loop.call_soon_threadsafe(self._receive, change)
        except RuntimeError:  # the loop is closed: the subscriber can never read again
            return False
        return True

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop has nobody left to tell
            self.loop.call_soon_threadsafe(self._close)

    def _receive(self, change: Change) -> None:
        if len(self._items) >= self.capacity:
            self._items.clear()
            self._overflow = True
        self._items.append(change)
        self._ready.set()

    def _close(self) -> None:
        self._closed = True
        self._ready.set()

    async def get(self) -> Change | Signal:
        while True:
            if self._overflow:
                self._overflow = False
                return OVERFLOW
            if self._items:
                return self._items.popleft()
            if self._closed:
                return CLOSED
            self._ready.clear()
            await self._ready.wait()


async def follow(subscribe: Callable[[], AsyncGenerator[T, None]],
                 handle: Callable[[T], Awaitable[None]], *, retry_s: float,
                 log: logging.Logger, feed: str) -> NoReturn:
    """Hand every item of a store feed to ``handle``, in order, until cancelled.

    ``subscribe()`` opens the feed; it is called again ``retry_s`` seconds after the feed ends or
    breaks (a Redis restart...), so a caller that resumes from where it got to makes it read
    from there. A break is logged on ``log`` as "``feed`` interrupted"; an error raised by
    ``handle`` counts as a break too. Cancellation is never swallowed.
    """
    while True:
        try:
            async with contextlib.aclosing(subscribe()) as items:
                async for item in items:
                    await handle(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the feed broke: resume after a pause
            log.warning("%s interrupted, resuming after %.1fs: %r", feed, retry_s, exc)
        await asyncio.sleep(retry_s)
