"""Clips end to end through ``compositor render``: the real CLI, a data dir filled by ``compositor
asset add``, an mp4 decoded back. Counter clips (tests/media_factory.py) let every output frame say
which clip frame it shows; the expected index is computed here from the documented rule (the clip
frame whose time is nearest: ``floor((F - start_frame) / fps * clip_fps + in_s * clip_fps + 1/2)``),
independently of the implementation."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.e2e.clip_output import read_recording
from tests.media_factory import MediaCache, counter_clip, ffmpeg_available

pytestmark = pytest.mark.skipif(not ffmpeg_available(), reason="needs the ffmpeg CLI")

FPS = 30
SIZE = (160, 90)



def cli(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "control.service.cli", *args],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def add_asset(data: Path, path: Path) -> str:
    line = cli("asset", "add", "--data-dir", str(data), str(path)).strip().splitlines()[-1]
    return str(json.loads(line)["id"])


def render(tmp: Path, data: Path, layers: list[dict[str, Any]], seconds: float,
           *, start_frame: int = 0, name: str = "out") -> Path:
    scene = tmp / f"{name}.json"
    scene.write_text(json.dumps({"width": SIZE[0], "height": SIZE[1], "fps": FPS,
                                 "layers": layers}))
    out = tmp / f"{name}.mp4"
    cli("render", str(scene), "--seconds", str(seconds), "-o", str(out), "--data-dir", str(data),
        "--start-frame", str(start_frame), "--no-progress")
    return out


def clip_layer(asset: str, **content: Any) -> dict[str, Any]:
    return {"id": f"clip-{len(content)}-{asset[:6]}", "kind": "video",
            "content": {"asset": asset, **content},
            "transform": {"x": 0, "y": 0, "width": SIZE[0], "height": SIZE[1]}}


def expected_index(frame: int, *, start: int, clip_fps: int, frames: int, in_s: float = 0.0,
                   out_s: float | None = None, loop: bool = False,
                   on_end: str = "hold") -> int | None:
    """The documented rule, written out again for the test."""
    if frame < start:
        return None
    first = math.floor(Fraction(in_s) * clip_fps + Fraction(1, 2))
    end = frames if out_s is None else min(frames, math.ceil(Fraction(out_s) * clip_fps))
    t = Fraction(frame - start, FPS)
    if loop:
        span = Fraction(end, clip_fps) - Fraction(in_s)
        t = t % span
    index = math.floor((Fraction(in_s) + t) * clip_fps + Fraction(1, 2))
    if index >= end:
        if on_end == "hide":
            return None
        index = end - 1
    return max(index, first)


def frames_of(recording_pts: list[int], time_base: Fraction, start_frame: int) -> list[int]:
    return [start_frame + round(p * time_base * FPS) for p in recording_pts]


@pytest.mark.parametrize(("clip_fps", "options"), [
    (25, {}),
    (60, {}),
    (30, {"loop": True}),
    (25, {"on_end": "hold"}),
    (25, {"on_end": "hide"}),
    (30, {"in_s": 0.4, "out_s": 1.2}),
    (30, {"in_s": 0.5, "out_s": 1.0, "loop": True}),
])
def test_offline_render_shows_the_documented_clip_frame_on_every_frame(
        clip_fps: int, options: dict[str, Any], media: MediaCache, tmp_path: Path) -> None:
    clip = counter_clip(media.path(f"counter-{clip_fps}.mp4"), fps=clip_fps, seconds=1.6)
    frames = round(Fraction(16, 10) * clip_fps)  # a whole number of frames at 25, 30 and 60
    data = tmp_path / "data"
    asset = add_asset(data, clip)
    start = 10
    out = render(tmp_path, data, [clip_layer(asset, start_frame=start, **options)], 3.0)
    recording = read_recording(out)
    shown = recording.indexes()
    numbers = frames_of(recording.pts, recording.video_time_base, 0)
    assert numbers == list(range(len(numbers))) and len(numbers) == 3 * FPS
    expected = [expected_index(f, start=start, clip_fps=clip_fps, frames=frames, **options)
                for f in numbers]
    assert shown[:start] == [None] * start, "nothing before start_frame"
    assert shown[start] == expected[start], "the in point exactly on start_frame"
    wrong = [(f, s, e) for f, s, e in zip(numbers, shown, expected) if s != e]
    assert not wrong, f"(frame, shown, expected): {wrong[:10]}"


def test_a_beep_is_on_air_within_one_frame_of_its_flash(media: MediaCache,
                                                        tmp_path: Path) -> None:
    clip = counter_clip(media.path("beep.mp4"), fps=FPS, seconds=2.0, beep_frame=20,
                        beep_s=0.5)
    data = tmp_path / "data"
    asset = add_asset(data, clip)
    out = render(tmp_path, data, [clip_layer(asset, start_frame=7)], 2.0)
    recording = read_recording(out)
    flashes = recording.flash_pts()
    assert flashes, "the flash frame is on air"
    flash_s = float(flashes[0] * recording.video_time_base)
    assert abs(flash_s - (7 + 20) / FPS) < 0.5 / FPS
    onset = recording.onset_s()
    assert onset is not None, "the beep is on air"
    assert abs(onset - flash_s) <= 1 / FPS, f"beep at {onset:.4f} s, flash at {flash_s:.4f} s"


def _rms_db(samples: np.ndarray) -> float:
    return 20 * math.log10(float(np.sqrt(np.mean(np.square(samples.astype(np.float64))))) + 1e-12)


@pytest.mark.parametrize(("layers_content", "expected_db"), [
    ([{"volume": 0.5}], -6.02),
    ([{"muted": True}], None),
    ([{}, {}], 6.02),
])
def test_volume_mute_and_sum(layers_content: list[dict[str, Any]], expected_db: float | None,
                             media: MediaCache, tmp_path: Path) -> None:
    clip = counter_clip(media.path("tone.mp4"), fps=FPS, seconds=2.0, amplitude=0.25)
    data = tmp_path / "data"
    asset = add_asset(data, clip)
    reference = read_recording(render(tmp_path, data, [clip_layer(asset, start_frame=0)], 1.5,
                                      name="reference"))
    layers = [dict(clip_layer(asset, start_frame=0, **c), id=f"l{i}", z=i)
              for i, c in enumerate(layers_content)]
    measured = read_recording(render(tmp_path, data, layers, 1.5, name="measured"))
    window = slice(48_000 // 4, 48_000)  # 0.25 s .. 1 s: the tone, away from the edges
    ref_db = _rms_db(reference.audio[window])
    assert ref_db > -20, "the reference tone is on air"
    if expected_db is None:
        assert float(np.abs(measured.audio).max()) < 1e-3, "muted: silence"
        return
    assert abs(_rms_db(measured.audio[window]) - ref_db - expected_db) <= 0.5


def test_a_volume_tween_is_a_fade(media: MediaCache, tmp_path: Path) -> None:
    clip = counter_clip(media.path("tone.mp4"), fps=FPS, seconds=2.0, amplitude=0.25)
    data = tmp_path / "data"
    asset = add_asset(data, clip)
    layer = clip_layer(asset, start_frame=0)
    layer["animations"] = [{"property": "content.volume", "start": 0,
                            "keyframes": [{"frame": 0, "value": 1.0}, {"frame": 15, "value": 1.0},
                                          {"frame": 45, "value": 0.0}]}]
    audio = read_recording(render(tmp_path, data, [layer], 2.0)).audio
    per_frame = 48_000 // FPS
    levels = [float(np.abs(audio[f * per_frame:(f + 1) * per_frame]).max())
              for f in range(10, 50)]
    assert levels[0] > 0.2 and levels[-1] < 1e-3
    ramp = levels[7:33]  # frames 17..42: inside the fade
    assert all(b <= a + 0.01 for a, b in itertools.pairwise(ramp)), ramp
    assert ramp[0] - ramp[-1] > 0.15
