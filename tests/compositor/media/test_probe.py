"""probe_media and thumbnail_jpeg on every kind of good and bad file, made by the ffmpeg CLI."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image

from compositor.errors import MediaError, MediaInvalidError, MediaUnsupportedError
from compositor.media import MediaLimits, probe_media, thumbnail_jpeg
from tests import media_factory as factory
from tests.media_factory import MediaCache


def test_counter_clip_with_sound(media: MediaCache) -> None:
    info = probe_media(media.counter(fps=25, seconds=2))
    assert info.kind == "video"
    assert (info.fps, info.frames, info.width, info.height) == (Fraction(25), 50, 64, 36)
    assert info.duration_s == 2.0
    assert (info.video_codec, info.audio_codec, info.has_audio) == ("h264", "aac", True)
    assert info.format_name.startswith("mov,mp4")


def test_ntsc_rate_and_no_sound(media: MediaCache) -> None:
    info = probe_media(media.counter(fps=Fraction(30000, 1001), seconds=1, audio=False))
    assert info.fps == Fraction(30000, 1001)
    assert info.frames == 30
    assert info.duration_s == pytest.approx(1.001)
    assert (info.has_audio, info.audio_codec) == (False, None)


def test_matroska_with_flac_5_1(media: MediaCache) -> None:
    info = probe_media(media.counter(fps=30, seconds=1, channels="5.1", audio_codec="flac",
                                     suffix=".mkv"))
    assert (info.kind, info.audio_codec, info.format_name) == ("video", "flac", "matroska,webm")


def test_display_size_applies_the_sample_aspect_ratio(media: MediaCache) -> None:
    path = media.counter(fps=25, seconds=1, audio=False, extra=("-vf", "setsar=2"))
    info = probe_media(path)
    assert (info.width, info.height) == (128, 36)


@pytest.mark.parametrize(("suffix", "codec", "fmt"), [
    (".wav", "pcm_s16le", "wav"), (".mp3", "mp3", "mp3"), (".ogg", "vorbis", "ogg"),
    (".flac", "flac", "flac"), (".m4a", "aac", "mov,mp4,m4a,3gp,3g2,mj2"),
])
def test_sound_only_files(media: MediaCache, suffix: str, codec: str, fmt: str) -> None:
    info = probe_media(media.audio(suffix, seconds=1.0))
    assert info.kind == "audio"
    assert info.audio_codec == codec
    assert info.format_name == fmt
    assert info.duration_s == pytest.approx(1.0, abs=0.05)
    assert (info.fps, info.width, info.frames, info.video_codec) == (None, None, None, None)


def test_truncated_mp4_is_invalid(media: MediaCache) -> None:
    path = factory.truncated_copy(media.counter(fps=25, seconds=2), media.path("cut.mp4"))
    with pytest.raises(MediaInvalidError, match="damaged or incomplete"):
        probe_media(path)


def test_index_without_frames_is_invalid(media: MediaCache) -> None:
    path = factory.header_only_copy(media.counter(fps=25, seconds=2), media.path("head.mp4"))
    with pytest.raises(MediaInvalidError, match=r"head\.mp4: test decoding failed"):
        probe_media(path)


def test_text_file_is_unsupported(media: MediaCache) -> None:
    with pytest.raises(MediaUnsupportedError, match="unrecognised container"):
        probe_media(factory.text_file(media.path("notes.mp4")))


def test_video_codec_without_decoder_is_unsupported(media: MediaCache) -> None:
    with pytest.raises(MediaUnsupportedError, match="video codec has no decoder"):
        probe_media(factory.unsupported_codec_clip(media.path("c64.mov")))


def test_sound_codec_without_decoder_is_unsupported(media: MediaCache) -> None:
    # Codec 2 muxes into its own raw format only, which is no clip container either
    with pytest.raises(MediaUnsupportedError, match="'codec2' is not a video or sound"):
        probe_media(factory.unsupported_audio_file(media.path("speech.c2")))


@pytest.mark.parametrize("name", ["notes.txt", "notes", "notes.m3u8", "notes.ffconcat"])
def test_things_ffmpeg_opens_that_are_no_clips(media: MediaCache, name: str) -> None:
    # FFmpeg reads a .txt file as ANSI art: the format is refused, not played
    with pytest.raises(MediaUnsupportedError):
        probe_media(factory.text_file(media.path(name)))


def test_an_image_is_no_clip(media: MediaCache) -> None:
    path = media.path("still.png")
    Image.new("RGB", (16, 16), "red").save(path)
    with pytest.raises(MediaUnsupportedError, match="not a video or sound container"):
        probe_media(path)


def test_zero_duration_is_invalid(media: MediaCache) -> None:
    with pytest.raises(MediaInvalidError, match="zero duration"):
        probe_media(factory.zero_duration_clip(media.path("empty.mp4")))


def test_too_many_pixels_is_invalid(media: MediaCache) -> None:
    path = factory.oversize_clip(media.path("huge.mp4"))
    with pytest.raises(MediaInvalidError, match="4100x2200 is larger than 4096x2160"):
        probe_media(path)


def test_too_long_is_invalid(media: MediaCache) -> None:
    path = media.counter(fps=25, seconds=2)
    with pytest.raises(MediaInvalidError, match="longer than 1 s"):
        probe_media(path, MediaLimits(max_duration_s=1.0))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaInvalidError, match="cannot be read"):
        probe_media(tmp_path / "gone.mp4")


def test_every_media_error_is_one_family() -> None:
    for cls in (MediaInvalidError, MediaUnsupportedError):
        assert issubclass(cls, MediaError)


def test_thumbnail_is_the_first_frame(media: MediaCache) -> None:
    data = thumbnail_jpeg(media.counter(fps=25, seconds=1), width=32)
    assert data is not None
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("JPEG", (32, 18))
    red, green, blue = image.convert("RGB").getpixel((16, 9))  # type: ignore[misc]
    assert factory.index_of_color((red, green, blue)) == 0


def test_thumbnail_of_sound_is_none(media: MediaCache) -> None:
    assert thumbnail_jpeg(media.audio(".wav")) is None


def test_thumbnail_of_a_broken_file_raises(media: MediaCache) -> None:
    with pytest.raises(MediaUnsupportedError):
        thumbnail_jpeg(factory.text_file(media.path("notes.mp4")))
