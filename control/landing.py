"""The landing of a commit on a frame: :class:`Landing`, and the one rule of where commits land.

House clock: frame F of a channel at ``fps`` starts F / fps seconds after the Unix epoch. Every
commit lands on a frame, which ``apply_ops`` uses to start tweens and transitions and to resolve
"on_commit" keyframe starts:

- an immediate commit lands on the next frame to start after it is accepted,
  ``floor(now * fps) + 1``: a lead of up to one frame interval. The program shows it a few frames
  later still (commit-to-air: feed, render, encode); tweens are then already that far in, which
  moves them on smoothly rather than holding the picture back;
- a scheduled commit (``"at"``) lands on the frame it names (its *requested frame*); the
  :class:`~control.scheduler.Scheduler` commits it a short lead before that frame, and the
  pipeline holds it until then (``Pipeline.publish(scene, requested_frame)``). A requested frame
  already past lands on the next frame, and its receipt says how late;
- commits go on air in version order, so a commit accepted while an earlier scheduled commit waits
  for its frame lands on that frame too, together with it, and is held for it.

The control plane applies the rule with :class:`Landings` (the committer asks, the WebSocket hub
reports every commit it sees on the change feed); the render side with :class:`OnAirOrder` (the
scene feeder asks before it publishes). The store keeps a landing in the journal as the record's
``frame`` and ``meta`` (``{"at_frame": N, "schedule_id": "..."}``); :func:`landing_of` is the
only reader of that ``meta``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from control.store.base import CommitRecord

__all__ = ["Landing", "Landings", "OnAirOrder", "landing_of", "source_of", "with_source"]

_REQUESTED = "at_frame"  # the journal's (and the API's) name for the requested frame
_SCHEDULE_ID = "schedule_id"
_SOURCE = "source"  # who made the commit: http, ws, cue, schedule, controller


@dataclass(frozen=True, slots=True)
class Landing:
    """Where a commit lands.

    ``frame``: the absolute frame its changes start on (None: applied without a clock, every
    change instant). ``requested_frame``: the frame the pipeline holds it for (a scheduled
    commit's frame, or that of one it waits behind; served as ``at_frame``); None: the next frame.
    ``schedule_id``: the scheduled commit it came from, if any.
    """

    frame: int | None = None
    requested_frame: int | None = None
    schedule_id: str | None = None

    def meta(self) -> dict[str, Any] | None:
        """The journal's ``meta`` for this landing (None when there is nothing to keep)."""
        meta: dict[str, Any] = {}
        if self.requested_frame is not None:
            meta[_REQUESTED] = self.requested_frame
        if self.schedule_id is not None:
            meta[_SCHEDULE_ID] = self.schedule_id
        return meta or None


def landing_of(record: CommitRecord | None) -> Landing:
    """The landing a journal record keeps (an empty one for None or a record without one)."""
    if record is None:
        return Landing()
    meta = record.meta or {}
    requested, schedule_id = meta.get(_REQUESTED), meta.get(_SCHEDULE_ID)
    return Landing(
        record.frame,
        requested if isinstance(requested, int) and not isinstance(requested, bool) else None,
        schedule_id if isinstance(schedule_id, str) else None,
    )


def with_source(landing: Landing, source: str,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The journal's ``meta`` of a commit landing so, made by ``source`` (with ``extra``, such
    as ``{"cue": id}``)."""
    return {**(landing.meta() or {}), _SOURCE: source, **(extra or {})}


def source_of(record: CommitRecord) -> tuple[str, str | None]:
    """Who made a journal record (``"unknown"`` for records from before sources were kept) and
    the cue it took, if any."""
    meta = record.meta or {}
    source, cue = meta.get(_SOURCE), meta.get("cue")
    return (source if isinstance(source, str) else "unknown",
            cue if isinstance(cue, str) else None)


class Landings:
    """The control plane's side: where a commit accepted now lands.

    ``fps()`` is the channel's frame rate (the scene's), ``time_source()`` Unix seconds.
    :meth:`seen` is told every commit's landing in version order (by the WebSocket hub, which
    follows the change feed), so a scheduled commit committed by any replica holds later ones.
    """

    def __init__(self, fps: Callable[[], Fraction] = lambda: Fraction(60),
                 time_source: Callable[[], float] = time.time) -> None:
        self.fps = fps
        self.time_source = time_source
        self.waiting_frame: int | None = None  # the newest requested frame seen

    def now_frame(self) -> int:
        """The frame on air now on the house clock, ``floor(unix_time * fps)``."""
        return math.floor(Fraction(self.time_source()) * self.fps())

    def seen(self, landing: Landing) -> None:
        """A commit with ``landing`` is in the store (called in version order)."""
        requested = landing.requested_frame
        if requested is not None and requested > (self.waiting_frame or 0):
            self.waiting_frame = requested

    def immediate(self) -> Landing:
        """The landing of a commit accepted now: the next frame, or later when it must wait for
        a scheduled commit (it is then held for that frame too)."""
        next_frame = self.now_frame() + 1
        frame = max(next_frame, self.waiting_frame or 0)
        return Landing(frame, frame if frame > next_frame else None)

    def at(self, requested_frame: int) -> Landing:
        """The landing of a commit accepted now for ``requested_frame`` (a cue taken ``at``):
        that frame, held for it, or the next frame (or the one it waits behind) when later."""
        frame = max(self.now_frame() + 1, self.waiting_frame or 0, requested_frame)
        return Landing(frame, requested_frame)

    def scheduled(self, requested_frame: int, schedule_id: str) -> Landing:
        """The landing of a scheduled commit, committed now: its frame, or the next frame (or
        the frame of one it waits behind) when that is later."""
        frame = max(self.now_frame() + 1, self.waiting_frame or 0, requested_frame)
        return Landing(frame, requested_frame, schedule_id)


class OnAirOrder:
    """The render side: the frame each new scene is published for, keeping version order.

    While a scheduled scene still waits for its frame, every later scene is held for that frame
    too (its changes include the scheduled ones); the control plane gives such commits that
    landing already (:meth:`Landings.immediate`), this is the render side's guarantee.
    """

    def __init__(self) -> None:
        self._held_until: int | None = None  # the newest requested frame published

    def publish_frame(self, landing: Landing, now_frame: int) -> int | None:
        """The frame to publish a scene of ``landing`` for (None: the next frame), ``now_frame``
        being the frame on air now."""
        frame = landing.requested_frame
        held = self._held_until
        if held is not None and held > now_frame:
            frame = max(frame if frame is not None else held, held)
        if frame is not None:
            self._held_until = max(held or frame, frame)
        return frame
