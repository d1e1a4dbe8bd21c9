"""Reading a program recording back for the clip tests: each frame's absolute frame number and the
counter index its picture shows, and the program audio as float samples."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from tests.media_factory import index_of_color, is_flash

__all__ = ["Recording", "read_recording", "upload_clip"]


@dataclass(frozen=True, slots=True)
class Recording:
    """Video frames as (pts, mean RGB of the centre), the audio as (n, 2) float32 at 48 kHz
    starting at ``audio_start_s`` (in the file's timeline), and the video time base."""

    pts: list[int]
    colors: list[tuple[float, float, float]]
    audio: npt.NDArray[np.float32]
    audio_start_s: float
    video_time_base: Fraction

    def indexes(self) -> list[int | None]:
        """The counter index each frame shows (None: no counter colour)."""
        return [index_of_color(c) for c in self.colors]

    def flash_pts(self) -> list[int]:
        return [p for p, c in zip(self.pts, self.colors) if is_flash(c)]

    def onset_s(self, threshold: float = 0.05) -> float | None:
        """File time of the first audio sample louder than ``threshold``."""
        loud = np.flatnonzero(np.abs(self.audio).max(axis=1) > threshold)
        return None if loud.size == 0 else self.audio_start_s + float(loud[0]) / 48_000


def read_recording(path: Path) -> Recording:
    pts: list[int] = []
    colors: list[tuple[float, float, float]] = []
    chunks: list[npt.NDArray[np.float32]] = []
    audio_start: float | None = None
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        time_base = Fraction(video.time_base or Fraction(1, 1))
        for frame in container.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24")
            h, w = rgb.shape[:2]
            centre = rgb[h // 4: 3 * h // 4, w // 4: 3 * w // 4].reshape(-1, 3).mean(axis=0)
            pts.append(int(frame.pts or 0))
            colors.append((float(centre[0]), float(centre[1]), float(centre[2])))
    with av.open(str(path)) as container:
        if container.streams.audio:
            resampler = av.AudioResampler(format="flt", layout="stereo", rate=48_000)
            for sound in container.decode(audio=0):
                if audio_start is None:
                    audio_start = float(sound.time or 0.0)
                for out in resampler.resample(sound):
                    chunks.append(np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1, 2))
    audio = np.concatenate(chunks) if chunks else np.zeros((0, 2), dtype=np.float32)
    video_tb = time_base
    # The video stream's pts in the file's time base -> frames at the channel's rate are
    # converted by the caller (it knows the fps).
    return Recording(pts, colors, audio.astype(np.float32), audio_start or 0.0, video_tb)


def upload_clip(api: str, path: Path, content_type: str = "video/mp4") -> dict[str, object]:
    """POST the file as a raw body; the 200/201 body."""
    request = urllib.request.Request(f"{api}/assets", data=path.read_bytes(), method="POST",
                                     headers={"Content-Type": content_type,
                                              "X-Filename": path.name})
    with urllib.request.urlopen(request, timeout=60) as response:
        body: dict[str, object] = json.loads(response.read())
        return body
