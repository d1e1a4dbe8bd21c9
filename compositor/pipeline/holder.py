"""The scene holder: published scenes waiting for the frame they go on air.

The asyncio side publishes immutable scenes here; the render thread takes the one due at each
frame boundary, so every change of one commit appears on the same frame. No GL, no I/O: it only
needs the scene model.
"""

from __future__ import annotations

import logging
import threading

from compositor.scene import Scene

__all__ = ["SceneHolder"]

# A child of "compositor.pipeline": filters set on the pipeline's logger still apply.
log = logging.getLogger(__name__)


class SceneHolder:
    """Published scenes waiting for their frame; thread-safe, never blocks for long.

    Immediate publishes collapse into one slot (only the newest matters). Scheduled ones are
    kept in publish order, at most ``max_scheduled`` (the oldest is dropped beyond that, with a
    warning). :meth:`take` returns the scene to show from ``frame`` on, or None for no change.
    """

    def __init__(self, max_scheduled: int = 256) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._immediate: tuple[int, Scene] | None = None
        self._scheduled: list[tuple[int, int, Scene]] = []  # (seq, at_frame, scene)
        self._max_scheduled = max_scheduled

    def publish(self, scene: Scene, at_frame: int | None = None) -> None:
        with self._lock:
            self._seq += 1
            if at_frame is None:
                self._immediate = (self._seq, scene)
                return
            self._scheduled.append((self._seq, at_frame, scene))
            if len(self._scheduled) > self._max_scheduled:
                dropped = self._scheduled.pop(0)
                log.warning("scene holder full: dropped the scene scheduled for frame %d",
                            dropped[1])

    def peek(self) -> Scene | None:
        """The newest immediate scene, left in place (for warming the renderer up)."""
        with self._lock:
            return None if self._immediate is None else self._immediate[1]

    def waiting(self) -> list[Scene]:
        """Every scene not yet taken: the immediate one and the scheduled ones."""
        with self._lock:
            immediate = [] if self._immediate is None else [self._immediate[1]]
            return immediate + [scene for _, _, scene in self._scheduled]

    def upcoming(self, frame: int, within: int) -> list[tuple[int, Scene]]:
        """Scheduled scenes due after ``frame`` and at most ``within`` frames later, as
        ``(at_frame, scene)``, left in place (clips in them start decoding ahead)."""
        with self._lock:
            return [(at, scene) for _, at, scene in self._scheduled
                    if frame < at <= frame + within]

    def take(self, frame: int) -> tuple[Scene, int | None] | None:
        """The newest-published scene due at ``frame`` and its ``at_frame``; removes all due."""
        with self._lock:
            due: list[tuple[int, int | None, Scene]] = []
            if self._immediate is not None:
                due.append((self._immediate[0], None, self._immediate[1]))
                self._immediate = None
            keep: list[tuple[int, int, Scene]] = []
            for entry in self._scheduled:
                (due if entry[1] <= frame else keep).append(entry)
            self._scheduled = keep
        if not due:
            return None
        _, at_frame, scene = max(due, key=lambda entry: entry[0])
        return scene, at_frame
