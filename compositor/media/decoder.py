"""One playing clip layer's decoder: a thread that reads ahead a bounded number of pictures.

The render thread tells the decoder which house frame it is on (:meth:`ClipDecoder.frame`); the
decoder works out, with the playback rule (``timeline``), which clip frames the next house
frames will show (the *window*: at most ``read_ahead`` distinct frames, in play order, wrapping at
the loop point) and keeps exactly those decoded. It decodes in order and seeks when the next
wanted frame is behind it (a loop wrap, a jump back) or far ahead of it (``in_s``, a jump
forward): after a seek it decodes from the key frame before the target and drops the frames
before it. Pictures in other pixel formats are converted to yuv420p here, on this thread.

The render thread never waits on decoding beyond its ``wait_s``: it holds the lock only to look
up the buffer, and the decoder holds it only to store a picture. When the wanted picture is not
ready it gets the newest earlier one it has (or None before the first) and a late frame is
counted. A failure (the file damaged or cut short on disk while playing) ends the thread; it is
kept as :attr:`ClipDecoder.failure` (the library reports it and the layer shows nothing), counted
and logged, and never raised into the render thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error

from compositor.errors import MediaDecodeError, MediaError
from compositor.media.frame import VideoFrame, video_frame_from_av
from compositor.media.info import MediaInfo
from compositor.media.metrics import MediaMetrics
from compositor.media.probe import first_streams, media_error
from compositor.media.timeline import ClipContent, clip_frame_index

__all__ = ["ClipDecoder"]

log = logging.getLogger(__name__)

# A wanted frame this many frames or more ahead of the decoding position is reached by seeking
# rather than by decoding everything before it (about a GOP of a typical clip).
_SEEK_AHEAD_FRAMES = 48
# A file may hold a few frames fewer than its header promised (rounded durations); more than
# this missing at the end is a truncated file.
_SHORT_END_FRAMES = 3


class ClipDecoder:
    """Decodes ``asset_id``'s clip at ``path`` for one layer's ``content`` on a channel at
    ``fps``. Starts its thread at once; :meth:`close` stops it without waiting."""

    def __init__(self, *, asset_id: str, path: Path, info: MediaInfo, content: ClipContent,
                 fps: Fraction, read_ahead: int, metrics: MediaMetrics | None,
                 on_failure: Callable[[str], None] | None = None, name: str = "clip") -> None:
        self.asset_id, self.path, self.info, self.content, self.fps = (
            asset_id, path, info, content, fps)
        self.read_ahead = max(1, read_ahead)
        self.metrics = metrics
        self.on_failure = on_failure
        self.failure: str | None = None
        self.late_frames = 0
        self._cond = threading.Condition()
        self._house: int | None = None  # the render thread's frame; None until it asks
        self._buffer: dict[int, VideoFrame] = {}
        self._last: VideoFrame | None = None  # the picture last handed out
        self._end: int | None = None  # frames the file really has, once its end was seen
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=f"decoder-{name}", daemon=True)
        self._thread.start()

    # --- render thread -------------------------------------------------------------------

    def frame(self, house_frame: int, index: int | None, wait_s: float) -> VideoFrame | None:
        """The picture of clip frame ``index`` (what ``house_frame`` shows), waiting up to
        ``wait_s`` for it; the newest earlier one it has when it is not ready (a late frame),
        None when there is none or the clip failed. ``index`` None only moves the read-ahead
        (pre-roll before the start)."""
        deadline = time.monotonic() + max(0.0, wait_s)
        with self._cond:
            if self._house != house_frame:
                self._house = house_frame
                self._cond.notify_all()
            if index is None or self._broken():
                return None
            picture = self._ready(index)
            while picture is None and not self._broken() and not self._stopped:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
                picture = self._ready(index)
            if self._broken():
                return None
            if picture is None:
                self.late_frames += 1
                if self.metrics is not None:
                    self.metrics.late_frames.inc()
                return self._newest_before(index)
            self._last = picture
            return picture

    def close(self) -> None:
        """Ask the thread to stop (it closes the file itself); returns at once."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def join(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the thread to end; True when it has."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def buffered(self) -> int:
        """Decoded pictures held in the read-ahead now: at most ``read_ahead``, plus the file's
        last frame once its end was seen (the picture on screen is held apart)."""
        with self._cond:
            return len(self._buffer)

    def _broken(self) -> bool:
        return self.failure is not None

    def _ready(self, index: int) -> VideoFrame | None:
        if self._end is not None and index >= self._end:
            index = self._end - 1  # a file a frame or two shorter than its header said
        return self._buffer.get(index)

    def _newest_before(self, index: int) -> VideoFrame | None:
        earlier = [i for i in self._buffer if i <= index]
        if earlier:
            self._last = self._buffer[max(earlier)]
        return self._last

    # --- decoder thread ------------------------------------------------------------------

    def _window(self, house: int) -> list[int]:
        """The distinct clip frames the next house frames show, in play order."""
        window: list[int] = []
        for ahead in range(self.read_ahead * 8):
            index = clip_frame_index(self.content, self.info, self.fps, house + ahead)
            if index is None:
                if window:
                    break  # hidden after the end
                continue  # before the start: pre-roll
            if self._end is not None:
                index = min(index, self._end - 1)
            if index not in window:
                window.append(index)
                if len(window) >= self.read_ahead:
                    break
        return window

    def _next_job(self) -> tuple[int, list[int]] | None:
        """Wait until a wanted frame is missing; return it and the window (None: stop). The
        window is worked out without the lock: the render thread never waits for it."""
        house: int | None = None
        window: list[int] = []
        while True:
            with self._cond:
                if self._stopped:
                    return None
                if self._house is not None and self._house == house:
                    keep = set(window) | ({self._end - 1} if self._end is not None else set())
                    for index in [i for i in self._buffer if i not in keep]:
                        del self._buffer[index]
                    missing = [i for i in window if i not in self._buffer]
                    if missing:
                        return missing[0], window
                    self._cond.wait()
                house = self._house
            if house is not None:
                window = self._window(house)

    def _run(self) -> None:
        if self.metrics is not None:
            self.metrics.clips_decoding.inc()
        try:
            with _Source(self.path, self.info) as source:
                self._loop(source)
        except MediaError as exc:
            self._fail(str(exc))
        except Exception as exc:  # nothing may escape a decoder thread
            self._fail(str(media_error(exc, self.path, "decoding")))
        finally:
            if self.metrics is not None:
                self.metrics.clips_decoding.dec()

    def _loop(self, source: _Source) -> None:
        while (job := self._next_job()) is not None:
            target, window = job
            position = source.position
            if source.sought is None and (target < position
                                          or target >= position + _SEEK_AHEAD_FRAMES):
                source.seek(target)
            # Clip frames from ``lowest`` up to the one decoded next that the file turns out
            # not to have (a gap in the timestamps, a seek that lands past its target) are
            # shown as the next picture it does have, or we would seek for them for ever.
            lowest = source.sought if source.sought is not None else position
            started = time.perf_counter()
            decoded = source.next_frame()
            if decoded is None:
                self._at_end(source, target)
                continue
            index, raw = decoded
            with self._cond:
                slots = [i for i in window if i == index
                         or (lowest <= i < index and i not in self._buffer)]
            if slots:
                picture = video_frame_from_av(raw, (self.asset_id, index))
                if self.metrics is not None:
                    self.metrics.decode_seconds.observe(time.perf_counter() - started)
                with self._cond:
                    for slot in slots:
                        self._buffer[slot] = picture
                    self._cond.notify_all()
            source.keep_last(index, raw)

    def _at_end(self, source: _Source, target: int) -> None:
        """The file ended before ``target``: a slightly short file holds its last frame, a
        file cut short is a failure."""
        frames = source.position
        expected = self.info.frames or 0
        if frames == 0 or frames < expected - _SHORT_END_FRAMES:
            raise MediaDecodeError(f"{self.path.name}: the file ended at frame {frames} of "
                                   f"{expected} (damaged or truncated)")
        last = source.last
        with self._cond:
            self._end = frames
            if last is not None and last[0] == frames - 1:
                self._buffer[frames - 1] = video_frame_from_av(last[1], (self.asset_id, frames - 1))
            self._cond.notify_all()
        if target < frames:
            source.seek(target)

    def _fail(self, reason: str) -> None:
        log.warning("clip %s failed while playing: %s", self.asset_id, reason)
        if self.metrics is not None:
            self.metrics.errors.inc()
        with self._cond:
            self.failure = reason
            self._buffer.clear()
            self._cond.notify_all()
        if self.on_failure is not None:
            self.on_failure(reason)


class _Source:
    """The open file: sequential decoding with the media index of each picture, and seeking."""

    def __init__(self, path: Path, info: MediaInfo) -> None:
        self.path, self.info = path, info
        self.position = 0  # the index the next decoded frame should have
        self.sought: int | None = None  # the target of a seek no frame has come from yet
        self.last: tuple[int, Any] | None = None
        self._container: Any = None
        self._frames: Iterator[Any] | None = None

    def __enter__(self) -> _Source:
        try:
            self._container = av.open(str(self.path), mode="r")
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise media_error(exc, self.path, "opening") from exc
        video, _ = first_streams(self._container)
        if video is None or video.codec_context is None or self.info.fps is None:
            raise MediaDecodeError(f"{self.path.name}: no decodable video stream")
        video.thread_type = "AUTO"
        self._stream = video
        base = video.time_base or Fraction(1, 90_000)
        self._time_base = Fraction(base)
        self._origin = Fraction(video.start_time or 0) * self._time_base
        self._fps = self.info.fps
        self._frames = iter(self._container.decode(video))
        return self

    def __exit__(self, *exc: object) -> None:
        self._container.close()

    def keep_last(self, index: int, raw: Any) -> None:
        """Remember the newest raw picture (converted only when it turns out to be the last)."""
        self.last = (index, raw)

    def next_frame(self) -> tuple[int, Any] | None:
        """The next picture and its media index, or None at the end of the file."""
        assert self._frames is not None
        try:
            raw = next(self._frames, None)
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            raise MediaDecodeError(str(media_error(exc, self.path, "decoding"))) from exc
        if raw is None:
            return None
        self.sought = None
        if raw.pts is None:
            index = self.position
        else:
            seconds = Fraction(raw.pts) * self._time_base - self._origin
            index = round(seconds * self._fps)
        self.position = index + 1
        return index, raw

    def seek(self, target: int) -> None:
        """Continue from the key frame at or before clip frame ``target``; the frames before
        it are decoded and dropped (they are not in the caller's window)."""
        seconds = self._origin + Fraction(target) / self._fps
        try:
            self._container.seek(int(seconds / self._time_base), stream=self._stream,
                                 backward=True, any_frame=False)
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            raise MediaDecodeError(str(media_error(exc, self.path, "seeking"))) from exc
        self._frames = iter(self._container.decode(self._stream))
        self.sought = target  # the position is unknown until the next frame
