"""Open, probe and test-decode a clip with PyAV; the one place PyAV's errors become ours.

``probe_media`` is what an upload goes through before it is kept: it opens the file, picks the
first video stream (cover art does not count) and the first audio stream, checks the limits
before decoding anything large, and decodes the first video frame and the first audio frame.
A file whose container nobody recognises, or whose codec has no decoder in this build, is
:class:`MediaUnsupportedError` (HTTP 415); a recognised file that is damaged, empty or out of
bounds is :class:`MediaInvalidError` (HTTP 422). Both are blocking: call them in a thread.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
from PIL import Image

from compositor.errors import MediaError, MediaInvalidError, MediaUnsupportedError
from compositor.media.info import MediaInfo, MediaLimits

__all__ = ["first_streams", "media_error", "open_media", "probe_media", "thumbnail_jpeg"]

# Demuxers we play clips from (FFmpeg's names; a format matches when one of its comma-separated
# names is here). FFmpeg opens many other things: a text file as ANSI art ("tty"), images,
# playlists that fetch URLs (HLS, DASH), file lists ("concat"); none of those is a clip.
_CONTAINERS = frozenset({
    "mov", "mp4", "m4a", "matroska", "webm", "mpegts", "mpeg", "avi", "flv", "mxf", "nut",
    "asf", "wav", "w64", "mp3", "ogg", "flac", "aac", "aiff", "caf",
})
# How far into a file the first frame of each stream must be found (packets, all streams).
_TEST_DECODE_PACKETS = 2000
# Leading bytes of the containers we take; a file that fails to open with one of these is
# damaged (422), anything else is not a media file we know (415).
_MAGIC: tuple[tuple[int, bytes], ...] = (
    (4, b"ftyp"), (4, b"moov"), (4, b"mdat"), (4, b"free"), (4, b"wide"),  # MP4, QuickTime
    (0, b"\x1a\x45\xdf\xa3"),  # Matroska, WebM
    (0, b"RIFF"), (0, b"OggS"), (0, b"fLaC"), (0, b"ID3"), (0, b"\xff\xfb"), (0, b"\xff\xf3"),
    (0, b"\xff\xf1"), (0, b"\xff\xf9"),  # WAV, Ogg, FLAC, MP3, ADTS AAC
    (0, b"\x47"),  # MPEG-TS sync byte
)


def media_error(exc: BaseException, path: Path, doing: str) -> MediaError:
    """Our error for a PyAV (or OS) error raised while ``doing`` something with ``path``."""
    name = path.name
    if isinstance(exc, MediaError):
        return exc
    if isinstance(exc, av.error.DecoderNotFoundError):
        return MediaUnsupportedError(f"{name}: no decoder for its codec in this build")
    if isinstance(exc, (av.error.PatchWelcomeError, av.error.OptionNotFoundError)):
        return MediaUnsupportedError(f"{name}: uses a feature this build cannot decode: {exc}")
    if isinstance(exc, FileNotFoundError):
        return MediaInvalidError(f"{name}: no such file")
    return MediaInvalidError(f"{name}: {doing} failed: {_reason(exc)}")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, av.error.FFmpegError) and exc.strerror:
        return str(exc.strerror)
    return str(exc) or type(exc).__name__


def _has_known_magic(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except OSError:
        return False
    return any(head[offset: offset + len(magic)] == magic for offset, magic in _MAGIC)


@contextmanager
def open_media(path: Path) -> Iterator[Any]:
    """An open PyAV input container for ``path``, closed on exit; opening errors translated,
    and anything but a clip container (``_CONTAINERS``) refused with MediaUnsupportedError."""
    try:
        container: Any = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError)):
            raise MediaInvalidError(f"{path.name}: cannot be read: {exc.strerror}") from exc
        if _has_known_magic(path):
            raise MediaInvalidError(f"{path.name}: damaged or incomplete media file: "
                                    f"{_reason(exc)}") from exc
        raise MediaUnsupportedError(f"{path.name}: not a video or sound file we can read "
                                    f"(unrecognised container)") from exc
    try:
        names = str(container.format.name)
        if not _CONTAINERS.intersection(names.split(",")):
            raise MediaUnsupportedError(f"{path.name}: {names!r} is not a video or sound "
                                        f"container we play")
        yield container
    finally:
        container.close()


def first_streams(container: Any) -> tuple[Any | None, Any | None]:
    """The first video stream that is not cover art, and the first audio stream (or None)."""
    from av.stream import Disposition

    video = next((s for s in container.streams.video
                  if not s.disposition & Disposition.attached_pic), None)
    audio = next(iter(container.streams.audio), None)
    return video, audio


def _check_decodable(stream: Any, what: str, path: Path) -> None:
    if stream.codec_context is None:
        raise MediaUnsupportedError(f"{path.name}: the {what} codec has no decoder in this build")


def _video_fields(stream: Any, limits: MediaLimits, path: Path) -> dict[str, Any]:
    context = stream.codec_context
    width, height = int(context.width), int(context.height)
    aspect = stream.sample_aspect_ratio
    if aspect and aspect > 0 and aspect != 1:
        width = max(1, round(width * aspect))
    if width <= 0 or height <= 0:
        raise MediaInvalidError(f"{path.name}: the video has no picture size")
    if width > limits.max_width or height > limits.max_height:
        raise MediaInvalidError(f"{path.name}: {width}x{height} is larger than "
                                f"{limits.max_width}x{limits.max_height}")
    fps = stream.average_rate or stream.guessed_rate
    if not fps or fps <= 0:
        raise MediaInvalidError(f"{path.name}: the video has no frame rate")
    fps = Fraction(fps)
    frames = int(stream.frames or 0)
    if frames <= 0:
        duration = _stream_seconds(stream) or _container_seconds(stream.container)
        frames = round(duration * fps)
    return {"width": width, "height": height, "fps": fps, "frames": frames,
            "video_codec": _codec_name(context), "duration_s": float(frames / fps)}


def _codec_name(context: Any) -> str:
    """The codec's own name ("mp3"), not its decoder's ("mp3float")."""
    return str(getattr(context.codec, "canonical_name", None) or context.name)


def _stream_seconds(stream: Any) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return 0.0


def _container_seconds(container: Any) -> float:
    return container.duration / av.time_base if container.duration else 0.0


def _test_decode(container: Any, streams: list[Any], path: Path) -> None:
    """Decode until each of ``streams`` gave one frame, or raise MediaInvalidError."""
    waiting = {stream.index for stream in streams}
    try:
        for count, packet in enumerate(container.demux(*streams)):
            if packet.stream.index in waiting and packet.stream.codec_context.decode(packet):
                waiting.discard(packet.stream.index)
            if not waiting or count >= _TEST_DECODE_PACKETS:
                break
        for stream in streams:  # a tiny file: its only frame may sit in the decoder
            if stream.index in waiting and stream.codec_context.decode(None):
                waiting.discard(stream.index)
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise media_error(exc, path, "test decoding") from exc
    if waiting:
        kinds = sorted(s.type for s in streams if s.index in waiting)
        raise MediaInvalidError(f"{path.name}: no {' or '.join(kinds)} frame decodes")


_DEFAULT_LIMITS = MediaLimits()


def probe_media(path: Path, limits: MediaLimits = _DEFAULT_LIMITS) -> MediaInfo:
    """Probe and test-decode ``path`` (blocking). Raises MediaUnsupportedError or
    MediaInvalidError with a message for a person."""
    with open_media(path) as container:
        video, audio = first_streams(container)
        if video is None and audio is None:
            raise MediaInvalidError(f"{path.name}: no video or audio in it (zero duration)")
        fields: dict[str, Any] = {"fps": None, "width": None, "height": None, "frames": None,
                                  "video_codec": None}
        if video is not None:
            _check_decodable(video, "video", path)
            fields.update(_video_fields(video, limits, path))
        if audio is not None:
            _check_decodable(audio, "audio", path)
        if video is None:
            fields["duration_s"] = _stream_seconds(audio) or _container_seconds(container)
        duration = float(fields["duration_s"])
        if duration <= 0:
            raise MediaInvalidError(f"{path.name}: zero duration")
        if duration > limits.max_duration_s:
            raise MediaInvalidError(f"{path.name}: {duration:.0f} s is longer than "
                                    f"{limits.max_duration_s:.0f} s")
        _test_decode(container, [s for s in (video, audio) if s is not None], path)
        return MediaInfo(
            kind="video" if video is not None else "audio",
            audio_codec=None if audio is None else _codec_name(audio.codec_context),
            has_audio=audio is not None, format_name=str(container.format.name), **fields,
        )


def thumbnail_jpeg(path: Path, width: int = 320) -> bytes | None:
    """The first video frame, scaled to ``width`` pixels wide (display aspect kept), as JPEG;
    None for sound only. Blocking; raises MediaError when the file does not decode."""
    with open_media(path) as container:
        video, _ = first_streams(container)
        if video is None:
            return None
        _check_decodable(video, "video", path)
        try:
            frame = next(container.decode(video), None)
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            raise media_error(exc, path, "decoding the first frame") from exc
        if frame is None:
            raise MediaInvalidError(f"{path.name}: no video frame decodes")
        aspect = video.sample_aspect_ratio
        display_w = frame.width * (aspect if aspect and aspect > 0 else 1)
        height = max(1, round(width * frame.height / display_w))
        image: Image.Image = frame.to_image().resize((width, height), Image.Resampling.BILINEAR)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85)
        return out.getvalue()
