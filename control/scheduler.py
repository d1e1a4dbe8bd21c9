"""The scheduler: commits scheduled commits a short lead before their frame.

Every replica's control app runs one. Each pass takes the entries due within ``lead_s`` from the
store (``Store.schedule_take_due`` is atomic, so exactly one replica gets each entry) and commits
them through :meth:`Committer.commit_scheduled`, landing on their frame (``control.landing``):
the pipeline holds the new scene until that frame, so it goes on air on exactly that frame
provided the lead covers the commit-to-air path (feed, asset loading, publish). An entry whose
frame has already passed is committed at once; its receipt says how many frames late.

A replica that takes an entry and dies before committing it loses that entry (logged nowhere):
taking and committing are two store operations. The lead keeps that window short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from fractions import Fraction

from control.committer import Committer
from control.errors import ControlError

__all__ = ["Scheduler"]

_log = logging.getLogger(__name__)


class Scheduler:
    """Polls the schedule every ``poll_s`` seconds (and at once after :meth:`wake`)."""

    def __init__(self, committer: Committer, *, lead_s: float = 0.5, poll_s: float = 0.1) -> None:
        if lead_s < 0 or poll_s <= 0:
            raise ValueError("lead_s must be >= 0 and poll_s > 0")
        self.committer = committer
        self.lead_s = lead_s
        self.poll_s = poll_s
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Check the schedule now (a new entry may be due already)."""
        self._wake.set()

    def horizon(self) -> int:
        """The last frame due now: the current frame plus the lead, in frames (rounded up)."""
        landings = self.committer.landings
        lead_frames = math.ceil(Fraction(self.lead_s) * landings.fps())
        return landings.now_frame() + lead_frames

    async def run_once(self) -> int:
        """Commit what is due; how many entries were taken. An entry that fails in any way is
        logged, counted and dropped: the others still land."""
        due = await self.committer.store.schedule_take_due(self.horizon())
        for entry in due:
            try:
                await self.committer.commit_scheduled(entry)
            except Exception as exc:  # one bad entry must not keep the rest off air
                _log.error("scheduled commit %s for frame %d dropped: %r", entry.id,
                           entry.at_frame, exc, exc_info=not isinstance(exc, ControlError))
                self.committer.metrics.background_errors.labels("scheduler").inc()
        return len(due)

    async def run(self) -> None:
        """Until cancelled; store outages are waited out. Anything else is the supervisor's
        (``control.background``): it logs, counts and starts the scheduler again."""
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except ControlError as exc:
                _log.warning("scheduler: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
