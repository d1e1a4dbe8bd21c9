"""MediaLibrary.release and remove_stale_cache: a released clip's PCM file is removed and its
sound comes back sample for sample when it is prepared again; a clip a decoder plays is never
released; PCM files no prepared clip owns are removed."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from compositor.media import MediaLibrary, MediaMetrics
from compositor.scene.model import AudioContent, Layer, Scene, VideoContent
from tests.media_factory import MediaCache

F30 = Fraction(30)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[MediaLibrary]:
    lib = MediaLibrary(tmp_path / "pcm", metrics=MediaMetrics(CollectorRegistry()))
    yield lib
    lib.close()


def pcm_file(library: MediaLibrary, asset_id: str) -> Path:
    assert library.cache_dir is not None
    return library.cache_dir / f"{asset_id}.f32"


def sound(asset_id: str) -> Scene:
    return Scene(fps=F30, layers=(Layer(id="a", kind="audio",
                                        content=AudioContent(asset=asset_id, start_frame=0)),))


def test_released_sound_is_rendered_again_sample_for_sample(
        media: MediaCache, library: MediaLibrary) -> None:
    path = media.audio(seconds=0.5, tone_hz=550)
    library.prepare("tone", path)
    before = library.mix(sound("tone"), F30, 3)
    assert np.abs(before).max() > 0.1
    assert library.release(["tone", "unknown"]) == ["tone"]
    assert not pcm_file(library, "tone").exists() and library.prepared() == []
    assert not np.any(library.mix(sound("tone"), F30, 3))  # not prepared: silence
    library.prepare("tone", path)
    assert np.array_equal(library.mix(sound("tone"), F30, 3), before)


def test_a_clip_that_a_decoder_plays_is_not_released(
        media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("c", media.counter(fps=30, seconds=1))
    content = VideoContent(asset="c", start_frame=0)
    assert library.video_frame("v", content, F30, 0, wait_s=10) is not None
    assert library.release(["c"]) == [] and library.prepared() == ["c"]
    library.end_frame(set())  # the layer stopped playing: its decoder stops
    assert library.release(["c"]) == ["c"]
    assert library.video_frame("v", content, F30, 1) is None  # released: nothing to show


def test_stale_pcm_files_are_removed_and_prepared_ones_kept(
        media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("kept", media.audio(seconds=0.5, tone_hz=660))
    stale = pcm_file(library, "left-by-an-earlier-process")
    stale.write_bytes(bytes(800))
    other = stale.with_suffix(".txt")  # not a PCM file: not ours to remove
    other.write_text("x")
    assert library.remove_stale_cache() == ["left-by-an-earlier-process"]
    assert not stale.exists() and other.exists() and pcm_file(library, "kept").exists()
    assert MediaLibrary(None).remove_stale_cache() == []  # no cache folder: nothing to do
