"""Test media made at test time with the ffmpeg CLI (lavfi sources), shared by every test area.

Counter clips: every frame is one solid colour that encodes its index, so a test can decode any
picture back (from a clip, from the compositor's output file or RTMP stream) and tell which clip
frame it shows: :func:`color_of_index` / :func:`index_of_color`. The three channels are the three
decimal digits of the index (``22 * digit + 30``: 30..228, steps of 22), which survive two rounds
of yuv420p H.264 at small sizes with room to spare (measured: +-3). Black and white decode to
None, so "nothing drawn" and the flash never pass for a clip frame. 1000 frames at most.

A beep clip has silence, then a sine tone starting exactly on ``beep_frame`` (sample
``ceil(beep_frame / fps * rate)``), and a white frame (:data:`FLASH`) on that same frame.

Every maker writes to the path it is given (the suffix picks the container) and returns it;
when the file already exists it is returned as is, so a session-scoped folder caches media
between tests. :class:`MediaCache` names the files from their arguments for that.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

__all__ = [
    "FLASH",
    "MediaCache",
    "audio_file",
    "color_of_index",
    "counter_clip",
    "ffmpeg_available",
    "header_only_copy",
    "index_of_color",
    "is_flash",
    "oversize_clip",
    "samples_at",
    "text_file",
    "truncated_copy",
    "unsupported_audio_file",
    "unsupported_codec_clip",
    "zero_duration_clip",
]

FLASH = (255, 255, 255)
_STEP = 22
_BASE = 30
_TOLERANCE = 9  # a channel may be this far from its level (half a step is 11)


def color_of_index(index: int) -> tuple[int, int, int]:
    """The RGB colour of counter-clip frame ``index`` (0..999)."""
    if not 0 <= index < 1000:
        raise ValueError(f"counter clips encode indexes 0..999, not {index}")
    red, green, blue = (_STEP * ((index // 10**place) % 10) + _BASE for place in range(3))
    return red, green, blue


def index_of_color(rgb: Sequence[float]) -> int | None:
    """The frame index a (mean) colour encodes, or None when it is no counter colour (black,
    the white flash, a blend of two frames)."""
    index = 0
    for digit_place, value in enumerate(rgb[:3]):
        digit = round((float(value) - _BASE) / _STEP)
        if not 0 <= digit <= 9 or abs(float(value) - (_STEP * digit + _BASE)) > _TOLERANCE:
            return None
        index += digit * 10**digit_place
    return index


def is_flash(rgb: Sequence[float]) -> bool:
    """True for the white flash frame of a beep clip."""
    return all(float(value) >= 240 for value in rgb[:3])


def _ffmpeg(path: Path, args: Sequence[str]) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".partial-{path.name}")
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", *args, str(partial)]
    subprocess.run(command, check=True, timeout=120, capture_output=True)
    partial.replace(path)
    return path


def _digit(place: int) -> str:
    return f"{_STEP}*mod(floor(N/{10**place}),10)+{_BASE}"


def _tone(seconds: float, rate: int, tone_hz: float, amplitude: float,
          onset_s: Fraction | None, beep_s: float | None, channels: str) -> str:
    wave = f"{amplitude}*sin(2*PI*{tone_hz}*t)"
    if onset_s is not None:
        onset = f"{onset_s.numerator}/{onset_s.denominator}"
        end = f"+{beep_s}" if beep_s is not None else "+1e9"
        wave = f"if(gte(t,{onset})*lt(t,{onset}{end}),{wave},0)"
    count = {"mono": 1, "stereo": 2, "5.1": 6}[channels]
    return f"aevalsrc='{'|'.join([wave] * count)}':s={rate}:d={seconds}:c={channels}"


def counter_clip(path: Path, *, fps: Fraction | int, seconds: float,
                 size: tuple[int, int] = (64, 36), audio: bool = True,
                 beep_frame: int | None = None, beep_s: float | None = 0.25,
                 tone_hz: float = 1000.0, amplitude: float = 0.5, audio_rate: int = 48_000,
                 channels: str = "stereo", audio_codec: str = "aac", video_codec: str = "libx264",
                 pix_fmt: str = "yuv420p", noise: int = 0, extra: Sequence[str] = ()) -> Path:
    """A clip whose frame ``i`` has colour :func:`color_of_index` ``(i)`` (or :data:`FLASH` on
    ``beep_frame``), ``seconds`` long at ``fps``, with AAC sound when ``audio``: a tone of
    ``tone_hz`` at ``amplitude`` throughout, or, with ``beep_frame``, silence and a beep of
    ``beep_s`` seconds (None: to the end) starting exactly at ``beep_frame / fps``.
    ``channels`` is "mono", "stereo" or "5.1"; every channel carries the same wave. AAC at
    small bitrates does not keep a 5.1 tone's level: use ``audio_codec="flac"`` in a .mkv
    where levels matter. ``noise`` (0..100) adds temporal noise that keeps each frame's mean
    colour: it makes files big (kilobytes a frame), for tests that need bytes on disk."""
    rate = Fraction(fps)
    width, height = size
    flash = f"eq(N,{beep_frame})" if beep_frame is not None else "0"
    planes = ":".join(f"{c}='if({flash},255,{_digit(d)})'" for d, c in enumerate("rgb"))
    video = (f"color=black:size={width}x{height}:rate={rate.numerator}/{rate.denominator}"
             f":duration={seconds},format=gbrp,geq={planes}")
    if noise:
        video += f",noise=alls={noise}:allf=t+u"
    args = ["-f", "lavfi", "-i", video]
    if audio:
        onset = None if beep_frame is None else Fraction(beep_frame) / rate
        args += ["-f", "lavfi", "-i",
                 _tone(seconds, audio_rate, tone_hz, amplitude, onset, beep_s, channels)]
    args += ["-c:v", video_codec, "-pix_fmt", pix_fmt]
    if video_codec == "libx264":
        args += ["-g", str(max(1, int(rate))), "-bf", "2"]
    if audio:
        args += ["-c:a", audio_codec, *(["-b:a", "192k"] if audio_codec == "aac" else [])]
    args += ["-t", str(seconds), *extra]
    return _ffmpeg(path, args)


def audio_file(path: Path, *, seconds: float, rate: int = 48_000, channels: str = "stereo",
               tone_hz: float = 440.0, amplitude: float = 0.5,
               onset_s: Fraction | None = None, beep_s: float | None = None) -> Path:
    """Sound only, the container and codec picked by the suffix (.wav: PCM s16, .mp3, .ogg:
    Vorbis or Opus as the CLI has them, .flac, .m4a: AAC): a tone, or silence and a beep from
    ``onset_s``."""
    codec = {".wav": "pcm_s16le", ".mp3": "libmp3lame", ".ogg": "libvorbis", ".flac": "flac",
             ".m4a": "aac"}[path.suffix]
    source = _tone(seconds, rate, tone_hz, amplitude, onset_s, beep_s, channels)
    return _ffmpeg(path, ["-f", "lavfi", "-i", source, "-c:a", codec])


def unsupported_codec_clip(path: Path) -> Path:
    """A .mov whose video is Commodore 64 multicolour (``a64multi``): the ffmpeg CLI encodes it,
    no FFmpeg build decodes it (PyAV raises DecoderNotFoundError)."""
    return _ffmpeg(path, ["-f", "lavfi", "-i", "testsrc=size=64x40:rate=5:duration=1",
                          "-c:v", "a64multi"])


def unsupported_audio_file(path: Path) -> Path:
    """A raw Codec 2 file (.c2, speech at 3200 bit/s): the CLI encodes it with libcodec2, the
    bundled PyAV demuxes it but has no decoder for it."""
    return _ffmpeg(path, ["-f", "lavfi", "-i", "sine=d=1:sample_rate=8000",
                          "-c:a", "libcodec2", "-mode", "3200"])


def oversize_clip(path: Path, size: tuple[int, int] = (4100, 2200)) -> Path:
    """One black frame of ``size`` (default just over 4096x2160), quick to make."""
    return _ffmpeg(path, ["-f", "lavfi", "-i", f"color=black:size={size[0]}x{size[1]}:rate=1",
                          "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast",
                          "-pix_fmt", "yuv420p"])


def zero_duration_clip(path: Path) -> Path:
    """An MP4 of zero frames (ffmpeg writes no track at all): zero duration, nothing to play."""
    return _ffmpeg(path, ["-f", "lavfi", "-i", "color=black:size=64x36:rate=25",
                          "-frames:v", "0", "-c:v", "libx264", "-pix_fmt", "yuv420p"])


def truncated_copy(source: Path, path: Path, *, keep: float = 0.5) -> Path:
    """The first ``keep`` fraction of ``source``'s bytes (an MP4 cut mid-file: without
    faststart its index, at the end, is gone)."""
    if not path.exists():
        data = source.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])
    return path


def header_only_copy(source: Path, path: Path) -> Path:
    """An MP4 whose index names frames whose bytes are gone (a faststart file cut after its
    first kilobytes): opens, then fails to decode."""
    if not path.exists():
        with_index = path.with_name(f".faststart-{path.name}")
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), "-c", "copy",
                        "-movflags", "+faststart", str(with_index)], check=True, timeout=60)
        data = with_index.read_bytes()
        moov = data.find(b"moov")
        size = int.from_bytes(data[moov - 4: moov], "big")
        path.write_bytes(data[: moov - 4 + size + 64])
        with_index.unlink()
    return path


def text_file(path: Path) -> Path:
    """A text file (to be sent as video/mp4)."""
    if not path.exists():
        path.write_text("this is not a video\n" * 64)
    return path


class MediaCache:
    """A folder of test media, each file made once and named from its arguments (use one per
    test session: ``MediaCache(tmp_path_factory.mktemp("media"))``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def counter(self, *, fps: Fraction | int = 25, seconds: float = 2.0,
                size: tuple[int, int] = (64, 36), audio: bool = True,
                beep_frame: int | None = None, suffix: str = ".mp4", **kwargs: object) -> Path:
        """:func:`counter_clip` with these arguments, cached."""
        rate = Fraction(fps)
        extras = "".join(f"-{k}{v}" for k, v in sorted(kwargs.items()))
        name = (f"counter-{rate.numerator}_{rate.denominator}-{seconds}s-{size[0]}x{size[1]}"
                f"-a{int(audio)}-b{beep_frame}{extras}{suffix}")
        safe = name.replace("/", "_").replace(" ", "_").replace("(", "").replace(")", "")
        return counter_clip(self.folder / safe, fps=rate, seconds=seconds, size=size,
                            audio=audio, beep_frame=beep_frame, **kwargs)  # type: ignore[arg-type]

    def audio(self, suffix: str = ".wav", *, seconds: float = 1.0, rate: int = 48_000,
              channels: str = "stereo", **kwargs: object) -> Path:
        """:func:`audio_file` with these arguments, cached."""
        extras = "".join(f"-{k}{v}" for k, v in sorted(kwargs.items())).replace("/", "_")
        name = f"audio-{seconds}s-{rate}-{channels}{extras}{suffix}"
        return audio_file(self.folder / name, seconds=seconds, rate=rate, channels=channels,
                          **kwargs)  # type: ignore[arg-type]

    def path(self, name: str) -> Path:
        """A path in the folder for a maker that takes one."""
        return self.folder / name


def ffmpeg_available() -> bool:
    """True when the ffmpeg CLI is on PATH."""
    return shutil.which("ffmpeg") is not None


def samples_at(frame: int, fps: Fraction, rate: int = 48_000) -> int:
    """The first sample (at ``rate``) whose time is at or after ``frame / fps``: where a beep on
    ``frame`` starts."""
    return math.ceil(Fraction(frame) / fps * rate)
