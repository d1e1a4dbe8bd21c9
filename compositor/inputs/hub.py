"""All live inputs of a process: their readers, and the media source the render thread asks.

:class:`InputHub` keeps one :class:`~compositor.inputs.reader.InputReader` per input
(:meth:`~InputHub.put`, :meth:`~InputHub.remove`, :meth:`~InputHub.sync` with the stored list)
and a monitor thread that every ``tick_s`` declares silent inputs lost on time and ends stalled
connections. Listeners (:meth:`~InputHub.listen`) get every state change.

For ``video`` layers with ``input`` it implements the media-source protocol of clips
(``video_frame`` / ``end_frame`` / ``mix`` / ``problems``; see
:mod:`compositor.inputs.composite`): the picture for a house-clock frame (the jitter buffer's
choice, or the input's fallback while it is lost), and the input's sound in a frame's program
samples at the layer's volume. None of these calls waits for the network.

Offline (``live=False``, ``compositor render``) no reader connects: every input layer shows its
fallback (``freeze`` with nothing to freeze shows nothing); :meth:`InputHub.offline_note` says
so, once per render.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from compositor.inputs.reader import InputReader, ReaderTiming
from compositor.inputs.spec import InputSpec
from compositor.inputs.status import InputStatus
from compositor.media.frame import VideoFrame
from compositor.media.timeline import audio_samples_at
from compositor.scene import Scene, VideoContent

__all__ = ["InputHub", "StateListener"]

log = logging.getLogger(__name__)
StateListener = Callable[[InputStatus], None]
_JOIN_S = 5.0


class InputHub:
    """Readers by input id. Thread-safe; every method returns promptly."""

    def __init__(self, *, timing: ReaderTiming | None = None, live: bool = True,
                 tick_s: float = 0.01, clock: Callable[[], float] = time.time) -> None:
        self.timing = timing if timing is not None else ReaderTiming()
        self.live = live
        self._clock = clock
        self._lock = threading.Lock()
        self._readers: dict[str, InputReader] = {}
        self._listeners: list[StateListener] = []
        self._closed = threading.Event()
        self._tick_s = tick_s
        self._monitor = threading.Thread(target=self._watch, name="input-monitor", daemon=True)
        if live:
            self._monitor.start()

    # --- the inputs ----------------------------------------------------------------------

    def put(self, spec: InputSpec) -> InputStatus:
        """Start reading ``spec`` (an unchanged spec keeps its reader; a changed one restarts
        it). Returns its status."""
        with self._lock:
            current = self._readers.get(spec.id)
            if current is not None and current.spec == spec:
                return current.status()
            reader = InputReader(spec, timing=self.timing, on_change=self._changed,
                                 clock=self._clock)
            self._readers[spec.id] = reader
        if current is not None:
            self._retire(current)
        if self.live:
            reader.start()
        return reader.status()

    def remove(self, input_id: str) -> bool:
        """Stop reading ``input_id`` (non-blocking); False when there was no such input."""
        with self._lock:
            reader = self._readers.pop(input_id, None)
        if reader is None:
            return False
        self._retire(reader)
        return True

    def sync(self, specs: Iterable[InputSpec]) -> None:
        """Make the readers exactly ``specs`` (the store's list): start new and changed ones,
        stop the rest."""
        wanted = {spec.id: spec for spec in specs}
        for input_id in set(self.ids()) - set(wanted):
            self.remove(input_id)
        for spec in wanted.values():
            self.put(spec)

    def _retire(self, reader: InputReader) -> None:
        reader.stop()
        threading.Thread(target=reader.join, args=(_JOIN_S,), name="input-retire",
                         daemon=True).start()

    def ids(self) -> list[str]:
        with self._lock:
            return sorted(self._readers)

    def reader(self, input_id: str) -> InputReader | None:
        with self._lock:
            return self._readers.get(input_id)

    def status(self, input_id: str) -> InputStatus | None:
        reader = self.reader(input_id)
        return None if reader is None else reader.status()

    def statuses(self) -> list[InputStatus]:
        with self._lock:
            readers = list(self._readers.values())
        return sorted((r.status() for r in readers), key=lambda s: s.id)

    def listen(self, listener: StateListener) -> Callable[[], None]:
        """Call ``listener`` with the status on every state change (from a reader or the
        monitor thread: it must not block). Returns the function that stops it."""
        with self._lock:
            self._listeners.append(listener)

        def stop() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return stop

    def _changed(self, status: InputStatus) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(status)
            except Exception:  # a listener's bug must not stop a reader
                log.exception("input state listener failed")

    def _watch(self) -> None:
        while not self._closed.wait(self._tick_s):
            with self._lock:
                readers = list(self._readers.values())
            for reader in readers:
                reader.check()

    def close(self, timeout_s: float = _JOIN_S) -> None:
        """Stop every reader and the monitor; waits up to ``timeout_s`` in all."""
        self._closed.set()
        with self._lock:
            readers = list(self._readers.values())
            self._readers.clear()
        for reader in readers:
            reader.stop()
        deadline = time.monotonic() + timeout_s
        for reader in readers:
            reader.join(max(0.0, deadline - time.monotonic()))

    # --- the media source (render thread) -----------------------------------------------

    def video_frame(self, layer_id: str, content: VideoContent, fps: Fraction, frame: int,
                    *, wait_s: float = 0.0) -> VideoFrame | None:
        """The picture of ``content.input`` at absolute ``frame`` (its time is ``frame / fps``
        Unix seconds), or its fallback; None for nothing (an unknown input, ``transparent``).
        ``wait_s`` is accepted for the protocol and ignored: a live input is never waited for.
        """
        input_id = content.input
        if input_id is None:
            return None
        reader = self.reader(input_id)
        if reader is None:
            return None
        return reader.picture(float(Fraction(frame) / fps))

    def input_size(self, input_id: str) -> tuple[int, int] | None:
        """The size of the input's current picture (its natural size), None before the first
        (or for ``transparent`` while lost)."""
        reader = self.reader(input_id)
        picture = None if reader is None else reader.picture(self._clock())
        return None if picture is None else (picture.width, picture.height)

    def end_frame(self, playing: set[str]) -> None:
        """Nothing to stop: readers live as long as their input, not their layers."""

    def mix(self, scene: Scene, fps: Fraction, frame: int) -> npt.NDArray[np.float32]:
        """Program audio of absolute ``frame`` from the inputs: ``(S(frame+1) - S(frame), 2)``
        float32, the sum of every visible, unmuted input layer's sound times its volume;
        zeros when none plays (or every input is lost)."""
        start = audio_samples_at(fps, frame)
        count = audio_samples_at(fps, frame + 1) - start
        out = np.zeros((count, 2), np.float32)
        for layer in scene.layers:
            content = layer.content
            if (not isinstance(content, VideoContent) or content.input is None
                    or not layer.visible or content.muted or content.volume <= 0):
                continue
            reader = self.reader(content.input)
            sound = reader.sound(start, count) if reader is not None and self.live else None
            if sound is not None:
                out += sound * np.float32(content.volume)
        return out

    def offline_note(self, input_ids: Iterable[str]) -> str:
        """One line saying what the layers of ``input_ids`` show in an offline render."""
        parts = []
        for input_id in sorted(set(input_ids)):
            reader = self.reader(input_id)
            shown = "nothing (no such input)" if reader is None else reader.spec.loss.then
            parts.append(f"{input_id}: {shown}")
        return ("offline render: live inputs are not read; their layers show their fallback ("
                + ", ".join(parts) + ")")

    def problems(self) -> dict[str, str]:
        """``{"input <id>": "lost: <last error>"}`` for every input not live."""
        found: dict[str, str] = {}
        for status in self.statuses():
            if status.state != "live":
                detail = f": {status.last_error}" if status.last_error else ""
                found[f"input {status.id}"] = f"{status.state}{detail}"
        return found
