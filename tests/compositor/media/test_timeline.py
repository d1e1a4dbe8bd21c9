"""The playback rule (compositor/media/timeline.py) as tables: pure numbers, no media."""

from __future__ import annotations

from fractions import Fraction

import pytest

from compositor.media import AUDIO_RATE, MediaInfo, audio_samples_at
from compositor.media import clip_frame_index as index
from compositor.media import clip_sample_range as samples
from compositor.scene.model import AudioContent, VideoContent


def clip(fps: int | Fraction, frames: int) -> MediaInfo:
    rate = Fraction(fps)
    return MediaInfo(kind="video", duration_s=float(frames / rate), fps=rate, width=64,
                     height=36, frames=frames, video_codec="h264", audio_codec="aac",
                     has_audio=True, format_name="mov,mp4,m4a,3gp,3g2,mj2")


SOUND = MediaInfo(kind="audio", duration_s=1.0, fps=None, width=None, height=None, frames=None,
                  video_codec=None, audio_codec="pcm_s16le", has_audio=True, format_name="wav")
F30 = Fraction(30)


def shown(content: VideoContent, info: MediaInfo, fps: Fraction, frames: range) -> list[int | None]:
    return [index(content, info, fps, f) for f in frames]


def test_25_fps_clip_on_30_fps_channel_shows_the_nearest_frame() -> None:
    content = VideoContent(asset="a", start_frame=100)
    assert shown(content, clip(25, 50), F30, range(100, 113)) == [
        0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 8, 9, 10]


def test_60_fps_clip_on_30_fps_channel_shows_every_other_frame() -> None:
    content = VideoContent(asset="a", start_frame=7)
    assert shown(content, clip(60, 120), F30, range(7, 13)) == [0, 2, 4, 6, 8, 10]


def test_same_rate_ntsc() -> None:
    ntsc = Fraction(30000, 1001)
    content = VideoContent(asset="a", start_frame=0)
    assert shown(content, clip(ntsc, 300), ntsc, range(0, 300, 37)) == list(range(0, 300, 37))


def test_before_start_and_not_landed_show_nothing() -> None:
    assert index(VideoContent(asset="a", start_frame=10), clip(30, 30), F30, 9) is None
    assert index(VideoContent(asset="a"), clip(30, 30), F30, 50) is None


def test_hold_keeps_the_last_frame_hide_shows_nothing() -> None:
    hold = VideoContent(asset="a", start_frame=0)
    hide = VideoContent(asset="a", start_frame=0, on_end="hide")
    assert shown(hold, clip(30, 30), F30, range(28, 33)) == [28, 29, 29, 29, 29]
    assert shown(hide, clip(30, 30), F30, range(28, 33)) == [28, 29, None, None, None]


def test_loop_wraps_without_a_gap() -> None:
    content = VideoContent(asset="a", start_frame=0, loop=True)
    assert shown(content, clip(30, 10), F30, range(7, 14)) == [7, 8, 9, 0, 1, 2, 3]
    assert index(content, clip(30, 10), F30, 1_000_003) == 3


def test_in_and_out_trims() -> None:
    content = VideoContent(asset="a", start_frame=0, in_s=0.5, out_s=1.0, on_end="hide")
    assert shown(content, clip(30, 60), F30, range(0, 17)) == [
        *range(15, 30), None, None]
    looped = VideoContent(asset="a", start_frame=0, in_s=0.5, out_s=1.0, loop=True)
    assert shown(looped, clip(30, 60), F30, range(14, 17)) == [29, 15, 16]
    held = VideoContent(asset="a", start_frame=0, in_s=0.5, out_s=1.0)
    assert index(held, clip(30, 60), F30, 40) == 29


def test_trim_past_the_end_and_empty_trim() -> None:
    beyond = VideoContent(asset="a", start_frame=0, out_s=99.0)
    assert index(beyond, clip(30, 30), F30, 100) == 29
    empty = VideoContent(asset="a", start_frame=0, in_s=2.0)
    assert index(empty, clip(30, 30), F30, 0) is None


def test_ties_go_to_the_later_frame() -> None:
    # a 20 fps clip on a 40 fps channel: house frame 1 is exactly between clip frames 0 and 1
    content = VideoContent(asset="a", start_frame=0)
    assert shown(content, clip(20, 20), Fraction(40), range(4)) == [0, 1, 1, 2]


def test_sound_only_has_no_frames() -> None:
    assert index(AudioContent(asset="s", start_frame=0), SOUND, F30, 3) is None


def test_samples_per_frame_add_up_exactly() -> None:
    ntsc = Fraction(30000, 1001)
    counts = [audio_samples_at(ntsc, f + 1) - audio_samples_at(ntsc, f) for f in range(5)]
    assert counts == [1601, 1602, 1601, 1602, 1602]  # 1601.6 on average
    assert audio_samples_at(ntsc, 30000) == 1001 * AUDIO_RATE


def test_sample_range_follows_the_start_frame() -> None:
    content = AudioContent(asset="s", start_frame=10)
    assert samples(content, SOUND, F30, 9) == []
    assert samples(content, SOUND, F30, 10) == [(0, 0, 1600)]
    assert samples(content, SOUND, F30, 11) == [(0, 1600, 1600)]


def test_sample_range_stops_at_the_end() -> None:
    content = AudioContent(asset="s", start_frame=0, out_s=0.01)  # 480 samples
    assert samples(content, SOUND, F30, 0) == [(0, 0, 480)]
    assert samples(content, SOUND, F30, 1) == []


def test_sample_range_wraps_inside_a_frame() -> None:
    content = AudioContent(asset="s", start_frame=0, loop=True, in_s=0.25, out_s=0.275)  # 1200
    assert samples(content, SOUND, F30, 0) == [(0, 12000, 1200), (1200, 12000, 400)]
    assert samples(content, SOUND, F30, 1) == [(0, 12400, 800), (800, 12000, 800)]


def test_loop_with_a_fractional_length_does_not_drift() -> None:
    # 10 frames at 30000/1001 fps last 16016 samples exactly; 7 frames at 30000/1001 last
    # 11211.2 samples: after 1000 passes the wrap is where exact arithmetic puts it.
    ntsc = Fraction(30000, 1001)
    content = VideoContent(asset="a", start_frame=0, loop=True)
    info = clip(ntsc, 7)
    length = Fraction(7 * 1001 * AUDIO_RATE, 30000)
    frame = 30000  # 1001 s in: 48_048_000 samples, 4285.7... passes
    segments = samples(content, info, ntsc, frame)
    first_out = audio_samples_at(ntsc, frame)
    for offset, start, _count in segments:
        rel = first_out + offset
        passes = int(rel // length)
        assert start == int(rel - passes * length + Fraction(1, 2))
    assert sum(count for _, _, count in segments) == audio_samples_at(ntsc, frame + 1) - first_out


@pytest.mark.parametrize("frame", [0, 1, 29, 30, 31, 44])
def test_video_and_sound_agree_on_media_time(frame: int) -> None:
    content = VideoContent(asset="a", start_frame=0, in_s=0.5)
    info = clip(30, 60)
    [(offset, start, count)] = samples(content, info, F30, frame)
    assert (offset, count) == (0, 1600)
    assert start == index(content, info, F30, frame) * 1600  # type: ignore[operator]


def test_house_frames_since_the_epoch() -> None:
    # 2026-11-21T18:00:00Z at 60 fps: frames are counted from 1970, numbers are big
    start = 107_717_040_000
    fps = Fraction(60)
    looped = VideoContent(asset="a", start_frame=start, loop=True)
    # 119/60 s is 49.58 clip frames: nearest is 50, past the end, so the last frame, 49
    assert shown(looped, clip(25, 50), fps, range(start + 119, start + 122)) == [49, 0, 0]
    assert samples(AudioContent(asset="s", start_frame=start), SOUND, fps, start + 1) == [
        (0, 800, 800)]
