"""MediaLibrary.video_frame against real clips: the pictures decoded back to their indexes."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from compositor.errors import MediaUnsupportedError
from compositor.media import MediaLibrary, MediaMetrics, choose_decoder, clip_frame_index
from compositor.scene.model import VideoContent
from tests.compositor.media.support import index_of_picture
from tests.media_factory import MediaCache
from tests.polling import wait_for

F30 = Fraction(30)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[MediaLibrary]:
    lib = MediaLibrary(tmp_path / "pcm", read_ahead_frames=6)
    yield lib
    lib.close()


def play(library: MediaLibrary, content: VideoContent, frames: range | list[int],
         layer: str = "v") -> list[int | None]:
    shown = []
    for frame in frames:
        shown.append(index_of_picture(library.video_frame(layer, content, F30, frame, wait_s=10)))
        library.end_frame({layer})
    return shown


def expected(library: MediaLibrary, content: VideoContent, frames: range | list[int]
             ) -> list[int | None]:
    info = library.info(content.asset or "")
    assert info is not None
    return [clip_frame_index(content, info, F30, frame) for frame in frames]


def test_25_fps_clip_plays_every_frame_right(media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("c", media.counter(fps=25, seconds=2))
    content = VideoContent(asset="c", start_frame=100)
    frames = range(95, 175)
    shown = play(library, content, frames)
    assert shown == expected(library, content, frames)
    assert shown[5:10] == [0, 1, 2, 3, 3] and shown[-1] == 49  # then holds the last frame


def test_60_fps_clip_on_30(media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("c60", media.counter(fps=60, seconds=1))
    content = VideoContent(asset="c60", start_frame=0)
    assert play(library, content, range(0, 31)) == [*range(0, 60, 2), 59]


def test_loop_with_trims_wraps_and_seeks(media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("long", media.counter(fps=25, seconds=6, audio=False))
    content = VideoContent(asset="long", start_frame=10, loop=True, in_s=3.0, out_s=4.2)
    frames = range(10, 130)
    shown = play(library, content, frames)
    assert shown == expected(library, content, frames)
    assert shown[0] == 75 and max(i for i in shown if i is not None) == 104
    assert shown.count(75) >= 3  # three passes at least


def test_jumps_forward_and_back(media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("long", media.counter(fps=25, seconds=6, audio=False))
    content = VideoContent(asset="long", start_frame=0)
    frames = [0, 1, 2, 150, 151, 40, 41, 3, 170]
    assert play(library, content, frames) == expected(library, content, frames)


def test_hide_after_the_end(media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("c", media.counter(fps=25, seconds=2))
    content = VideoContent(asset="c", start_frame=0, on_end="hide")
    assert play(library, content, [58, 59, 60, 61]) == [48, 49, None, None]


@pytest.mark.parametrize(("pix_fmt", "full_range"), [("yuv444p", False), ("yuvj420p", True)])
def test_other_pixel_formats(media: MediaCache, library: MediaLibrary, pix_fmt: str,
                             full_range: bool) -> None:
    library.prepare(pix_fmt, media.counter(fps=30, seconds=1, audio=False, pix_fmt=pix_fmt))
    content = VideoContent(asset=pix_fmt, start_frame=0)
    picture = library.video_frame("p", content, F30, 17, wait_s=10)
    assert picture is not None
    assert (picture.width, picture.height, picture.full_range) == (64, 36, full_range)
    assert picture.y.shape == (36, 64) and picture.u.shape == picture.v.shape == (18, 32)
    assert (picture.key, picture.matrix) == ((pix_fmt, 17), "bt601")
    assert index_of_picture(picture) == 17


def test_hd_untagged_is_bt709(media: MediaCache, library: MediaLibrary) -> None:
    # the rule looks at the height only: 720 lines is HD
    library.prepare("hd", media.counter(fps=30, seconds=0.2, size=(64, 720), audio=False))
    picture = library.video_frame("p", VideoContent(asset="hd", start_frame=0), F30, 0, wait_s=10)
    assert picture is not None and picture.matrix == "bt709"


def test_tagged_bt709_sd(media: MediaCache, library: MediaLibrary) -> None:
    path = media.counter(fps=30, seconds=1, audio=False,
                         extra=("-colorspace", "bt709", "-color_range", "tv"))
    library.prepare("tagged", path)
    content = VideoContent(asset="tagged", start_frame=0)
    picture = library.video_frame("p", content, F30, 0, wait_s=10)
    assert picture is not None and picture.matrix == "bt709"


def test_end_frame_stops_decoders_and_metrics_follow(media: MediaCache, tmp_path: Path) -> None:
    registry = CollectorRegistry()
    library = MediaLibrary(None, metrics=MediaMetrics(registry))
    library.prepare("c", media.counter(fps=25, seconds=2))
    content = VideoContent(asset="c", start_frame=0)
    for layer in ("a", "b"):
        assert library.video_frame(layer, content, F30, 5, wait_s=10) is not None
    library.end_frame({"a", "b"})
    assert registry.get_sample_value("compositor_clips_decoding") == 2
    library.end_frame({"a"})
    wait_for(lambda: registry.get_sample_value("compositor_clips_decoding") == 1, 10,
             "the decoder of b to stop")
    assert (registry.get_sample_value("compositor_clip_decode_seconds_count") or 0) >= 2
    library.close()
    wait_for(lambda: registry.get_sample_value("compositor_clips_decoding") == 0, 10,
             "every decoder to stop")


def test_not_prepared_audio_only_and_inputs_show_nothing(media: MediaCache,
                                                         library: MediaLibrary) -> None:
    library.prepare("s", media.audio(".wav"))
    for content in (VideoContent(asset="nope", start_frame=0),
                    VideoContent(asset="s", start_frame=0), VideoContent(input="camera")):
        assert library.video_frame("x", content, F30, 3, wait_s=1) is None


def test_nvdec_is_detected_cleanly() -> None:
    assert choose_decoder("auto") == "pyav"
    assert choose_decoder("pyav") == "pyav"
    with pytest.raises(MediaUnsupportedError, match="NVDEC"):
        MediaLibrary(None, decoder="nvdec")
    with pytest.raises(ValueError, match="decoder must be one of"):
        MediaLibrary(None, decoder="quicksync")


def test_a_frame_missing_from_the_file_shows_the_next_one(media: MediaCache,
                                                          library: MediaLibrary) -> None:
    path = media.counter(fps=30, seconds=2, audio=False, suffix=".mkv",
                         extra=("-vf", "select='not(between(n,10,12))'",
                                "-fps_mode", "passthrough"))
    library.prepare("gap", path)
    content = VideoContent(asset="gap", start_frame=0, loop=True)
    frames = [*range(0, 20), *range(5, 15), *range(55, 75)]  # forward, back, across the loop
    shown = play(library, content, frames)
    want = [13 if index in (10, 11, 12) else index for index in expected(library, content, frames)]
    assert shown == want


def test_odd_sizes_round_the_chroma_planes_up(media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("odd", media.counter(fps=30, seconds=1, size=(63, 35), audio=False,
                                         pix_fmt="yuv444p"))
    picture = library.video_frame("p", VideoContent(asset="odd", start_frame=0), F30, 7,
                                  wait_s=10)
    assert picture is not None
    assert (picture.width, picture.height, picture.y.shape) == (63, 35, (35, 63))
    assert picture.u.shape == picture.v.shape == (18, 32)
    assert index_of_picture(picture) == 7
