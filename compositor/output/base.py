"""An output: one destination fed with encoded packets, written on its own thread.

The encode thread calls :meth:`Output.offer`, which never blocks: packets go into a bounded queue
and a per-output thread does the (possibly blocking) network or disk writes. When the queue is
full (a stalled server) the packet is dropped, counted, and the output skips to the next
keyframe so the stream it sends stays decodable. A failing destination is reopened with capped
exponential backoff when ``reconnect`` is set (RTMP); otherwise it ends in ``error`` (files).
After every (re)open, writing starts at a keyframe.

Program audio travels in the same queue, one :class:`~compositor.output.audio.AudioChunk` per
frame offered (:meth:`Output.offer_audio`) before that frame's packets; the sink keeps it for the
video it goes with. A chunk that finds the queue full is dropped (counted in
``dropped_audio``); the sink plays silence in its place, so the track has no hole. The queue
holds ``queue_packets`` items, packets and chunks together (240: about two seconds at 60 fps).

States: ``idle`` (not started or stopped), ``connecting`` (opening, until the first packet is
written), ``live`` (writing),
``reconnecting`` (waiting to reopen after a failure), ``error`` (gave up; files only).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, Protocol

from compositor.encode.base import EncodedPacket
from compositor.errors import OutputError
from compositor.metrics import OUTPUT_STATES, PipelineMetrics
from compositor.output.audio import AudioChunk

__all__ = ["Backoff", "Output", "OutputState", "Sink", "VideoParams"]

log = logging.getLogger(__name__)

OutputState = Literal["idle", "connecting", "live", "reconnecting", "error"]


@dataclass(frozen=True, slots=True)
class VideoParams:
    """The encoded video every output muxes: H.264 of this size, rate and time base."""

    width: int
    height: int
    fps: Fraction

    @property
    def time_base(self) -> Fraction:
        return 1 / self.fps


class Sink(Protocol):
    """An open container on a destination; raises :class:`OutputError` on failure."""

    def write(self, packet: EncodedPacket) -> int:
        """Mux one video packet (plus whatever audio goes with it); returns payload bytes."""
        ...

    def write_audio(self, chunk: AudioChunk) -> None:
        """Keep program PCM for the video packets it goes with (muxed by :meth:`write`)."""
        ...

    def close(self) -> None:
        """Finish the container (trailer, faststart); never raises for a dead connection."""
        ...


@dataclass(slots=True)
class Backoff:
    """Capped exponential backoff: ``initial_s``, doubling, at most ``max_s``."""

    initial_s: float = 0.5
    max_s: float = 10.0
    _next_s: float = 0.0

    def next_delay(self) -> float:
        delay = self._next_s or self.initial_s
        self._next_s = min(self.max_s, delay * 2)
        return delay

    def reset(self) -> None:
        self._next_s = 0.0


_STOP = object()


class Output:
    """One destination with its own writer thread. ``name`` is safe to log (keys redacted)."""

    def __init__(
        self,
        name: str,
        open_sink: Callable[[], Sink],
        metrics: PipelineMetrics,
        *,
        reconnect: bool,
        queue_packets: int = 240,
        backoff: Backoff | None = None,
        lossless: bool = False,
    ) -> None:
        self.name = name
        self._lossless = lossless
        self._open_sink = open_sink
        self._reconnect = reconnect
        self._backoff = backoff or Backoff()
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_packets)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._resync = False  # producer side: dropping until the next keyframe
        self.state: OutputState = "idle"
        self.bytes_sent = 0
        self.reconnects = 0
        self.dropped_packets = 0
        self.dropped_audio = 0
        self.last_error: str | None = None
        self._bytes = metrics.output_bytes_sent.labels(output=name)
        self._reconnect_counter = metrics.output_reconnects.labels(output=name)
        self._state_gauges = {state: metrics.output_state.labels(output=name, state=state)
                              for state in OUTPUT_STATES}
        self._set_state("idle")

    def start(self) -> None:
        if self._thread is not None:
            return
        self._set_state("connecting")
        self._thread = threading.Thread(target=self._run, name=f"output {self.name}", daemon=True)
        self._thread.start()

    def offer(self, packet: EncodedPacket) -> None:
        """Queue a packet for writing; never blocks (drops and resyncs when full).

        A ``lossless`` output (offline rendering) waits for room instead of dropping.
        """
        while self._lossless:
            if self._thread is None or not self._thread.is_alive():
                self.dropped_packets += 1  # the writer gave up (error) or was never started
                return
            try:
                self._queue.put(packet, timeout=0.1)
                return
            except queue.Full:
                continue
        if self._resync and not packet.keyframe:
            self.dropped_packets += 1
            return
        try:
            self._queue.put_nowait(packet)
            self._resync = False
        except queue.Full:
            self.dropped_packets += 1
            self._resync = True

    def offer_audio(self, chunk: AudioChunk) -> None:
        """Queue one frame's program audio; never blocks live (dropped when full: silence)."""
        while self._lossless:
            if self._thread is None or not self._thread.is_alive():
                return
            try:
                self._queue.put(chunk, timeout=0.1)
                return
            except queue.Full:
                continue
        try:
            self._queue.put_nowait(chunk)
        except queue.Full:
            self.dropped_audio += 1

    def stop(self, timeout: float = 5.0) -> None:
        """Write what is queued, finish the container, and end the thread (bounded wait)."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            log.warning("output %s: queue still full at stop; dropping the rest", self.name)
            self._drain()
            self._queue.put_nowait(_STOP)
        thread.join(timeout)
        if thread.is_alive():
            log.warning("output %s: writer did not finish within %.1f s", self.name, timeout)
        self._thread = None
        if self.state != "error":
            self._set_state("idle")

    def status(self) -> dict[str, object]:
        return {
            "url": self.name,
            "state": self.state,
            "bytes_sent": self.bytes_sent,
            "reconnects": self.reconnects,
            "dropped_packets": self.dropped_packets,
            "last_error": self.last_error,
        }

    # --- writer thread --------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            sink = self._open()
            if sink is None:
                return
            finished = self._pump(sink)
            if finished or self._stopping.is_set():
                return

    def _open(self) -> Sink | None:
        """Open the sink, retrying with backoff when allowed; None when giving up or stopping."""
        while not self._stopping.is_set():
            try:
                sink = self._open_sink()
            except OutputError as exc:
                if not self._failed(exc):
                    return None
                continue
            if self.reconnects:
                # Packets queued while down are stale: resume with live ones, at a keyframe.
                self._drain()
            # "live" comes with the first packet written: muxers connect/write lazily.
            self._set_state("connecting")
            return sink
        return None

    def _pump(self, sink: Sink) -> bool:
        """Write packets until stopped (True) or the sink fails (False)."""
        need_keyframe = True
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return True
                if isinstance(item, AudioChunk):
                    sink.write_audio(item)
                    continue
                assert isinstance(item, EncodedPacket)
                if need_keyframe and not item.keyframe:
                    continue
                need_keyframe = False
                sent = sink.write(item)
                if sent and self.state != "live":  # a network sink confirms what it sent
                    self._backoff.reset()
                    self._set_state("live")
                    log.info("output %s: live", self.name)
                self.bytes_sent += sent
                self._bytes.inc(sent)
        except OutputError as exc:
            self._failed(exc)
            return False
        finally:
            sink.close()

    def _failed(self, exc: OutputError) -> bool:
        """Record a failure; wait out the backoff. False: do not retry."""
        self.last_error = str(exc)
        if not self._reconnect:
            log.error("output %s", exc)
            self._set_state("error")
            self._drain()
            return False
        delay = self._backoff.next_delay()
        log.warning("output %s; reconnecting in %.1f s", exc, delay)
        self._set_state("reconnecting")
        self.reconnects += 1
        self._reconnect_counter.inc()
        self._drain()  # stale packets: the stream resumes at the next keyframe after reopening
        return not self._stopping.wait(delay)

    def _drain(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is _STOP:  # keep the stop request for the writer loop
                self._stopping.set()
                self._queue.put_nowait(_STOP)
                return

    def _set_state(self, state: OutputState) -> None:
        self.state = state
        for name, gauge in self._state_gauges.items():
            gauge.set(1 if name == state else 0)
