"""The encode side of the pipeline: bounded job queue -> encode thread -> outputs and preview.

:class:`EncodeStage` is owned and driven by :class:`compositor.pipeline.Pipeline`. The render
thread hands it finished NV12 frames with :meth:`EncodeStage.put` (live: dropped when the queue
is full; forced: waits for room) and ends the stream with :meth:`EncodeStage.finish`. The
**encode thread** encodes each frame once, hands the packets to every output (each writes on its
own thread, see :mod:`compositor.output.base`) and the frame to the preview, and reports the
first frame of each scene version through ``on_applied``. Each frame's program audio (the PCM
the render thread mixed, or silence) goes to every output before its packets, and through the
peak meter (:mod:`compositor.pipeline.audio`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from compositor.encode import Encoder, EncoderConfig, open_encoder
from compositor.errors import CompositorError
from compositor.metrics import PipelineMetrics
from compositor.output import Output, Preview, VideoParams, open_output
from compositor.pipeline.audio import ProgramAudio

__all__ = ["AppliedFrame", "EncodeJob", "EncodeStage"]

log = logging.getLogger(__name__)

NV12 = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class AppliedFrame:
    """The first encoded frame showing scene ``version``: absolute ``frame``, its ``pts`` in
    ``time_base``, the Unix time encoding finished, and how many frames after the requested
    ``at_frame`` it went out (0 for immediate publishes or when exactly on time)."""

    version: int
    frame: int
    pts: int
    time_base: Fraction
    encoded_unix: float
    late_frames: int


@dataclass(frozen=True, slots=True)
class EncodeJob:
    """One rendered frame for the encode thread: absolute ``frame``, its ``pts``, the scene
    ``version`` (and its requested ``at_frame`` and layer count) it shows, its NV12 pixels and
    its program audio (float32 (S(frame + 1) - S(frame), 2) at 48 kHz; None: silence)."""

    frame: int
    pts: int
    version: int
    at_frame: int | None
    layers: int
    nv12: NV12 = field(repr=False)
    audio: npt.NDArray[np.float32] | None = field(default=None, repr=False)


_STOP = object()


class EncodeStage:
    """The job queue, the encode thread, the encoder, the outputs and the preview.

    ``on_frame(frame, nv12)`` is called on the encode thread with each frame's pixels before
    encoding, ``on_encoded(frame, seconds)`` after it, ``on_applied`` with the first frame of
    each scene version (its errors are logged, not raised) and ``on_failed(message)`` when the
    encoder fails (the thread then ends). :meth:`wait` returns once ``max_frames`` frames are
    encoded or the encode thread has ended.
    """

    def __init__(
        self,
        video: VideoParams,
        metrics: PipelineMetrics,
        *,
        encoder: str,
        encoder_config: EncoderConfig,
        queue_frames: int,
        audio: bool,
        lossless: bool,
        preview_width: int,
        preview_max_fps: float,
        time_source: Callable[[], float],
        on_failed: Callable[[str], None],
        max_frames: int | None = None,
        on_applied: Callable[[AppliedFrame], None] | None = None,
        on_encoded: Callable[[int, float], None] | None = None,
        on_frame: Callable[[int, NV12], None] | None = None,
    ) -> None:
        self._video = video
        self._metrics = metrics
        self._encoder_kind = encoder
        self._encoder_config = encoder_config
        self._audio = audio
        self.program_audio = ProgramAudio(video.fps, metrics)
        self._lossless = lossless
        self._now = time_source
        self._on_failed = on_failed
        self._max_frames = max_frames
        self._on_applied = on_applied
        self._on_encoded = on_encoded  # (absolute frame, encode seconds): for benchmarks
        self._on_frame = on_frame
        self._jobs: queue.Queue[object] = queue.Queue(maxsize=queue_frames)
        self._done = threading.Event()
        self._lock = threading.Lock()  # guards _outputs
        self._outputs: dict[str, Output] = {}
        self._preview = Preview(preview_width, preview_max_fps)
        self._thread: threading.Thread | None = None
        self._encoder: Encoder | None = None
        self.frames_encoded = 0
        self._encode_times: deque[float] = deque(maxlen=121)
        self._applied_version: int | None = None

    # --- lifecycle (the pipeline's thread) --------------------------------------------------

    def open(self) -> None:
        """Open the encoder (raises :class:`EncoderUnavailableError`/:class:`EncoderError`)."""
        self._encoder = open_encoder(self._encoder_kind, self._encoder_config)
        log.info("encoder: %s", self._encoder.name)

    def start(self) -> None:
        """Start the encode thread (after :meth:`open`)."""
        self._thread = threading.Thread(target=self._main, name="encode", daemon=True)
        self._thread.start()

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the encode thread (it ends after :meth:`finish`)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("pipeline: %s thread did not stop in time", thread.name)
        self._thread = None

    def close(self, timeout: float) -> None:
        """Finish every output (mp4 faststart, RTMP close), then close the encoder."""
        self.stop_output(None, timeout)
        if self._encoder is not None:
            self._encoder.close()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until ``max_frames`` are encoded or the encode thread ended; True when so."""
        return self._done.wait(timeout)

    # --- the render thread's side -----------------------------------------------------------

    def put(self, job: EncodeJob, *, force: bool) -> bool:
        """Queue ``job``; live: False (dropped) when full; forced: wait for room."""
        return self._put(job, force=force)

    def finish(self) -> None:
        """End the stream: the encode thread flushes the encoder and stops after the queue."""
        self._put(_STOP, force=True)

    def _put(self, item: object, *, force: bool) -> bool:
        if not force:
            try:
                self._jobs.put_nowait(item)
                return True
            except queue.Full:
                return False
        while True:
            try:
                self._jobs.put(item, timeout=0.1)
                return True
            except queue.Full:
                if self._thread is None or not self._thread.is_alive():
                    return False

    # --- outputs and status (any thread) ----------------------------------------------------

    def start_output(self, url: str) -> None:
        """Add an output (RTMP(S) URL or file path) to the running encode; idempotent per URL."""
        with self._lock:
            if url in self._outputs:
                return
            output = open_output(url, self._video, self._metrics, audio=self._audio,
                                 lossless=self._lossless)
            self._outputs[url] = output
        output.start()

    def stop_output(self, url: str | None = None, timeout: float = 5.0) -> None:
        """Stop one output (by the URL it was started with) or all (None)."""
        with self._lock:
            if url is None:
                stopping = list(self._outputs.values())
                self._outputs.clear()
            else:
                found = self._outputs.pop(url, None)
                stopping = [found] if found is not None else []
        for output in stopping:
            output.stop(timeout)

    @property
    def outputs(self) -> list[Output]:
        with self._lock:
            return list(self._outputs.values())

    @property
    def encoder_name(self) -> str | None:
        return self._encoder.name if self._encoder else None

    def preview_jpeg(self, width: int | None = None) -> bytes | None:
        """The latest encoded frame as JPEG (``width`` px wide), or None before the first."""
        return self._preview.jpeg(width)

    def measured_fps(self) -> float:
        """Frames encoded per second over the last 120 frames (0.0 before two)."""
        times = list(self._encode_times)
        if len(times) < 2 or times[-1] <= times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    # --- encode thread ----------------------------------------------------------------------

    def _main(self) -> None:
        encoder = self._encoder
        assert encoder is not None
        try:
            while True:
                item = self._jobs.get()
                if item is _STOP:
                    break
                assert isinstance(item, EncodeJob)
                self._encode_job(encoder, item)
            self._send(encoder.flush())
        except CompositorError as exc:
            log.error("encode thread: %s", exc)
            self._on_failed(str(exc))
        finally:
            self._done.set()

    def _encode_job(self, encoder: Encoder, job: EncodeJob) -> None:
        if self._on_frame is not None:
            self._on_frame(job.frame, job.nv12)
        chunk = self.program_audio.chunk(job.frame, job.pts, job.audio)
        if self._audio:
            for output in self.outputs:
                output.offer_audio(chunk)
        packets = encoder.encode(job.nv12, job.pts)
        self._metrics.convert_seconds.observe(encoder.last_convert_s)
        self._metrics.encode_seconds.observe(encoder.last_encode_s)
        self._send(packets)
        self._preview.offer(job.nv12)
        self.frames_encoded += 1
        self._encode_times.append(time.monotonic())
        if self._on_encoded is not None:
            self._on_encoded(job.frame, encoder.last_convert_s + encoder.last_encode_s)
        if job.version != self._applied_version:
            self._applied_version = job.version
            self._metrics.scene_version.set(job.version)
            self._metrics.layers.set(job.layers)
            self._announce(job)
        if self._max_frames is not None and self.frames_encoded >= self._max_frames:
            self._done.set()

    def _announce(self, job: EncodeJob) -> None:
        if self._on_applied is None:
            return
        late = max(0, job.frame - job.at_frame) if job.at_frame is not None else 0
        applied = AppliedFrame(version=job.version, frame=job.frame, pts=job.pts,
                               time_base=self._video.time_base,
                               encoded_unix=self._now(), late_frames=late)
        try:
            self._on_applied(applied)
        except Exception:  # a listener's bug must not stop the program going to air
            log.exception("on_applied callback failed")

    def _send(self, packets: list[Any]) -> None:
        if not packets:
            return
        with self._lock:
            outputs = list(self._outputs.values())
        for packet in packets:
            for output in outputs:
                output.offer(packet)
