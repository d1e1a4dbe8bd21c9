"""The pipeline with the real MediaLibrary: clips made by the ffmpeg CLI (tests/media_factory.py),
decoded by PyAV, rendered on llvmpipe, encoded and muxed, then decoded back from the mp4."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from compositor.media import MediaLibrary
from compositor.metrics import PipelineMetrics
from compositor.pipeline import Pipeline, PipelineConfig
from compositor.pipeline.clock import frame_at
from compositor.scene import Color, Layer, Scene, Transform, VideoContent
from tests.compositor.media import decode_audio, decode_file
from tests.media_factory import MediaCache, ffmpeg_available, index_of_color, is_flash
from tests.polling import wait_for

pytestmark = pytest.mark.skipif(not ffmpeg_available(), reason="the ffmpeg CLI is missing")

W, H = 128, 72
START = 9000


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> MediaCache:
    return MediaCache(tmp_path_factory.mktemp("media"))


@pytest.fixture
def library(tmp_path: Path) -> Iterator[MediaLibrary]:
    media = MediaLibrary(tmp_path / "pcm")
    yield media
    media.close()


def render(tmp_path: Path, media: MediaLibrary, fps: Fraction, frames: int,
           *layers: Layer) -> str:
    path = str(tmp_path / "out.mp4")
    config = PipelineConfig(width=W, height=H, fps=fps, encoder="x264", bitrate_bps=600_000,
                            outputs=(path,)).offline(START, frames)
    pipeline = Pipeline(config, lambda asset_id: None, PipelineMetrics(CollectorRegistry()),
                        media)
    pipeline.publish(Scene(version=1, width=W, height=H, fps=fps, background=Color(0, 0, 0),
                           layers=layers))
    pipeline.start()
    try:
        assert pipeline.wait(180)
    finally:
        pipeline.stop()
    assert pipeline.problems() == {}
    return path


def full_canvas(asset: str, start_frame: int, **content: object) -> Layer:
    return Layer("clip", "video", VideoContent(asset=asset, start_frame=start_frame,
                                               **content),  # type: ignore[arg-type]
                 transform=Transform(width_px=W, height_px=H))


def shown(path: str) -> list[int | str | None]:
    """What each output frame shows: the clip frame index, "flash", or None (nothing)."""
    out: list[int | str | None] = []
    for rgb in decode_file(path).frames:
        mean = rgb[H // 4: 3 * H // 4, W // 4: 3 * W // 4].reshape(-1, 3).mean(axis=0)
        out.append("flash" if is_flash(mean) else index_of_color(mean))
    return out


def test_a_clip_plays_frame_accurately_with_its_beep_in_sync(
        tmp_path: Path, clips: MediaCache, library: MediaLibrary) -> None:
    fps = Fraction(25)
    path = clips.counter(fps=25, seconds=2.0, beep_frame=10, beep_s=0.5)
    info = library.prepare("beep", path)
    assert (info.width, info.height) == (64, 36)
    out = render(tmp_path, library, fps, 30, full_canvas("beep", START + 5))
    seen = shown(out)
    # before its start frame: nothing (black); then clip frame i on output frame 5 + i
    assert seen[:5] == [None] * 5
    assert seen[5:15] == list(range(10))
    assert seen[15] == "flash" and seen[16:30] == list(range(11, 25))
    first, samples = decode_audio(out)
    loud = np.flatnonzero(np.abs(samples[:, 0]) > 0.25)
    beep = first + int(loud[0])
    spf = 48_000 // 25
    assert abs(beep - 15 * spf) <= spf, (beep, 15 * spf)  # on air with its flash (+-1 frame)
    steady = samples[beep - first + 2048: beep - first + 20_000].astype(np.float64)
    level = 20 * math.log10(float(np.sqrt(np.mean(steady**2))) * math.sqrt(2))
    assert abs(level - 20 * math.log10(0.5)) < 0.5
    assert np.abs(samples[: 13 * spf - first]).max() < 0.01  # silence before the beep


def test_a_25_fps_clip_on_a_30_fps_channel_shows_the_nearest_clip_frame(
        tmp_path: Path, clips: MediaCache, library: MediaLibrary) -> None:
    path = clips.counter(fps=25, seconds=2.0, audio=False)
    library.prepare("c25", path)
    out = render(tmp_path, library, Fraction(30), 24, full_canvas("c25", START))
    # house frame F after the start shows clip frame floor(F * 25/30 + 1/2)
    assert shown(out) == [math.floor(Fraction(f * 25, 30) + Fraction(1, 2)) for f in range(24)]


def test_a_looping_trimmed_clip_wraps_without_a_gap(
        tmp_path: Path, clips: MediaCache, library: MediaLibrary) -> None:
    path = clips.counter(fps=25, seconds=2.0, audio=False)
    library.prepare("c25", path)
    # in_s 0.2 .. out_s 0.6: clip frames 5..14, again and again
    out = render(tmp_path, library, Fraction(25), 25,
                 full_canvas("c25", START, in_s=0.2, out_s=0.6, loop=True))
    assert shown(out) == [5 + f % 10 for f in range(25)]


def test_live_never_waits_for_the_decoder_and_still_shows_the_clip_in_order(
        tmp_path: Path, clips: MediaCache, library: MediaLibrary) -> None:
    fps = Fraction(25)
    path = clips.counter(fps=25, seconds=4.0, audio=True)
    library.prepare("live", path)
    out = str(tmp_path / "live.mkv")
    config = PipelineConfig(width=W, height=H, fps=fps, encoder="x264", bitrate_bps=600_000,
                            outputs=(out,))
    pipeline = Pipeline(config, lambda asset_id: None, PipelineMetrics(CollectorRegistry()),
                        library)
    start = frame_at(time.time(), fps) + 12  # about half a second after the run starts
    pipeline.publish(Scene(version=1, width=W, height=H, fps=fps, background=Color(0, 0, 0),
                           layers=(full_canvas("live", start),)))
    pipeline.start()
    try:
        wait_for(lambda: pipeline.frames_encoded >= 50, 30, "two seconds of live frames")
    finally:
        pipeline.stop()
    first_frame = pipeline.start_frame
    assert first_frame is not None
    video = decode_file(out)
    seen = shown(out)
    frames = [first_frame + round(t * 25) for t in video.pts_s]
    playing = [(f, s) for f, s in zip(frames, seen, strict=True) if f >= start]
    assert all(s is None for f, s in zip(frames, seen, strict=True) if f < start)
    indexes = [s for _, s in playing if isinstance(s, int)]
    assert len(indexes) == len(playing), playing  # a clip frame on every frame from the start
    assert indexes == sorted(indexes)  # never backwards
    on_time = sum(1 for f, s in playing if s == f - start)
    assert on_time >= 0.8 * len(playing)  # a late frame shows the newest decoded instead
    assert pipeline.status()["audio"]["peak_dbfs"][0] > -10  # the clip's tone is on air
