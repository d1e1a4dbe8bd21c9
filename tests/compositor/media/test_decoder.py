"""Decoder threads: bounded read-ahead, pre-roll, failures mid-play, never blocking the caller."""

from __future__ import annotations

import os
import shutil
import threading
import time
from fractions import Fraction
from pathlib import Path

from prometheus_client import CollectorRegistry

from compositor.media import MediaLibrary, MediaMetrics, probe_media
from compositor.media.decoder import ClipDecoder
from compositor.scene.model import VideoContent
from tests.compositor.media.support import index_of_picture
from tests.media_factory import MediaCache
from tests.polling import wait_for

F30 = Fraction(30)


def test_read_ahead_fills_up_to_its_bound_and_no_further(media: MediaCache) -> None:
    path = media.counter(fps=30, seconds=4, audio=False)
    content = VideoContent(asset="c", start_frame=0)
    decoder = ClipDecoder(asset_id="c", path=path, info=probe_media(path), content=content,
                          fps=F30, read_ahead=5, metrics=None)
    try:
        peak = 0
        for frame in range(0, 60):
            picture = decoder.frame(frame, frame, wait_s=10)
            assert index_of_picture(picture) == frame
            wait_for(lambda: decoder.buffered() >= 5, 10, "the read-ahead to fill")
            time.sleep(0.005)  # give a runaway decoder the chance to overfill
            peak = max(peak, decoder.buffered())
        assert peak == 5
        assert decoder.late_frames == 0
    finally:
        decoder.close()
        assert decoder.join(5)


def test_pre_roll_decodes_before_the_start(media: MediaCache) -> None:
    path = media.counter(fps=30, seconds=1, audio=False)
    content = VideoContent(asset="c", start_frame=100)
    decoder = ClipDecoder(asset_id="c", path=path, info=probe_media(path), content=content,
                          fps=F30, read_ahead=4, metrics=None)
    try:
        assert decoder.frame(97, None, wait_s=0) is None
        wait_for(lambda: decoder.buffered() == 4, 10, "the pre-roll")
        assert index_of_picture(decoder.frame(100, 0, wait_s=0)) == 0
        assert decoder.late_frames == 0
    finally:
        decoder.close()


def test_library_pre_rolls_so_live_starts_on_time(media: MediaCache) -> None:
    registry = CollectorRegistry()
    library = MediaLibrary(None, read_ahead_frames=4, metrics=MediaMetrics(registry))
    try:
        library.prepare("c", media.counter(fps=30, seconds=1, audio=False))
        content = VideoContent(asset="c", start_frame=50)
        assert library.video_frame("v", content, F30, 40, wait_s=0) is None  # too early
        assert registry.get_sample_value("compositor_clips_decoding") == 0
        assert library.video_frame("v", content, F30, 47, wait_s=0) is None
        wait_for(lambda: (registry.get_sample_value("compositor_clip_decode_seconds_count")
                          or 0) >= 3, 10, "pictures decoded before the start frame")
        assert index_of_picture(library.video_frame("v", content, F30, 50, wait_s=0)) == 0
        assert registry.get_sample_value("compositor_clip_late_frames_total") == 0
    finally:
        library.close()


def test_file_truncated_mid_play_is_a_problem_not_an_exception(media: MediaCache,
                                                               tmp_path: Path) -> None:
    registry = CollectorRegistry()
    path = tmp_path / "victim.mp4"
    shutil.copy(media.counter(fps=30, seconds=8, size=(160, 90), audio=False, noise=40), path)
    assert path.stat().st_size > 200_000  # far more than the demuxer reads ahead (32 KiB)
    library = MediaLibrary(None, read_ahead_frames=4, metrics=MediaMetrics(registry))
    try:
        library.prepare("victim", path)
        content = VideoContent(asset="victim", start_frame=0)
        for frame in range(5):
            assert index_of_picture(library.video_frame("v", content, F30, frame,
                                                        wait_s=10)) == frame
        os.truncate(path, path.stat().st_size // 3)
        shown = [library.video_frame("v", content, F30, frame, wait_s=2)
                 for frame in range(5, 240)]
        assert shown[-1] is None
        problems = library.problems()
        assert set(problems) == {"v"} and "victim.mp4" in problems["v"]
        assert registry.get_sample_value("compositor_clip_errors_total") == 1
        library.end_frame({"other"})
        assert library.problems() == {}
    finally:
        library.close()


def test_wait_zero_never_blocks_on_a_stalled_file(media: MediaCache, tmp_path: Path) -> None:
    """The clip's file is replaced by a FIFO nobody writes: the decoder thread blocks opening
    it, and the render thread still gets its answer at once."""
    registry = CollectorRegistry()
    path = tmp_path / "stall.mp4"
    shutil.copy(media.counter(fps=30, seconds=1, audio=False), path)
    library = MediaLibrary(None, metrics=MediaMetrics(registry))
    library.prepare("stall", path)
    path.unlink()
    os.mkfifo(path)
    content = VideoContent(asset="stall", start_frame=0)
    try:
        for frame in range(10):
            started = time.perf_counter()
            assert library.video_frame("v", content, F30, frame, wait_s=0) is None
            assert time.perf_counter() - started < 0.25  # (a blocking call never returns)
            started = time.perf_counter()
            assert library.video_frame("v", content, F30, frame, wait_s=0.1) is None
            assert 0.09 < time.perf_counter() - started < 1.0
        assert registry.get_sample_value("compositor_clip_late_frames_total") == 20
    finally:
        unblock = threading.Thread(target=lambda: os.close(os.open(path, os.O_WRONLY)))
        unblock.start()
        unblock.join(5)
        library.close()


def test_a_late_frame_shows_the_last_picture(media: MediaCache) -> None:
    registry = CollectorRegistry()
    library = MediaLibrary(None, read_ahead_frames=3, metrics=MediaMetrics(registry))
    try:
        library.prepare("c", media.counter(fps=30, seconds=6, audio=False))
        content = VideoContent(asset="c", start_frame=0)
        for frame in range(3):
            library.video_frame("v", content, F30, frame, wait_s=10)
        started = time.perf_counter()
        late = library.video_frame("v", content, F30, 170, wait_s=0)
        assert time.perf_counter() - started < 0.25  # the decoder hears of 170 only now
        # the newest picture it has: the one shown (2), or one read ahead after it (3, 4)
        assert index_of_picture(late) in (2, 3, 4)
        assert registry.get_sample_value("compositor_clip_late_frames_total") == 1
        picture = wait_for(lambda: library.video_frame("v", content, F30, 170, wait_s=0)
                           if index_of_picture(library.video_frame("v", content, F30, 170))
                           == 170 else None, 10, "the jump to be decoded")
        assert index_of_picture(picture) == 170
    finally:
        library.close()
