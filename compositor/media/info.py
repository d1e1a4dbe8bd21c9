"""What a probe learns about a clip, the limits it is held to, and the program audio format."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

__all__ = ["AUDIO_RATE", "MediaInfo", "MediaLimits"]

AUDIO_RATE = 48_000
"""Program audio: 48 kHz stereo float32, samples interleaved as arrays of shape (n, 2)."""


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Bounds a clip must stay within: display size in pixels, duration in seconds."""

    max_width: int = 4096
    max_height: int = 2160
    max_duration_s: float = 4 * 3600.0


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """A probed, test-decoded clip.

    ``kind`` is "video" when the file has a video stream, "audio" for sound only. Video fields
    (``fps``, ``width``, ``height``, ``frames``, ``video_codec``) are None for sound only.
    ``width``/``height`` are the display size (sample aspect ratio applied to the width);
    ``frames`` is the number of frames (the container's count, else ``duration_s * fps``);
    ``duration_s`` is the video's length (frames / fps) for video, the sound's for audio.
    """

    kind: Literal["video", "audio"]
    duration_s: float
    fps: Fraction | None
    width: int | None
    height: int | None
    frames: int | None
    video_codec: str | None
    audio_codec: str | None
    has_audio: bool
    format_name: str
