"""Clips through a real ``compositor serve`` recording to an MPEG-TS file: a clip added without
``start_frame`` starts on the frame its commit lands on, a restart (SIGKILL, then serve again)
resumes it in phase, and the live recording equals an offline render of the same scene from the
same frame, picture for picture and (nearly) sample for sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.e2e.clip_output import Recording, read_recording, upload_clip
from tests.e2e.serve import ServeProcess, http_json, wait_for
from tests.e2e.test_clips import FPS, SIZE, cli
from tests.media_factory import MediaCache, counter_clip, ffmpeg_available

pytestmark = pytest.mark.skipif(not ffmpeg_available(), reason="needs the ffmpeg CLI")

ARGS = ("--width", str(SIZE[0]), "--height", str(SIZE[1]), "--fps", str(FPS))


def _serve(folder: Path, out: Path) -> ServeProcess:
    return ServeProcess(folder, *ARGS, "--output", str(out)).start()


def _wait_frames(serve: ServeProcess, frames: int) -> dict[str, Any]:
    def enough() -> bool:
        return int(http_json("GET", serve.url + "/api/v1/output")[1]["frames"]) >= frames
    wait_for(enough, 60, f"{frames} frames encoded")
    return dict(http_json("GET", serve.url + "/api/v1/output")[1])


def _numbered(recording: Recording, start_frame: int) -> dict[int, int | None]:
    """Absolute frame -> counter index shown (the file's timestamps count from its first
    frame, which is the output's ``start_frame``)."""
    first = recording.pts[0]
    return {start_frame + round((p - first) * recording.video_time_base * FPS): i
            for p, i in zip(recording.pts, recording.indexes())}


def test_a_restart_resumes_the_clip_in_phase_and_live_equals_offline(tmp_path: Path) -> None:
    media = MediaCache(tmp_path / "media")
    clip = counter_clip(media.path("long.mp4"), fps=FPS, seconds=20.0, amplitude=0.25)
    first = _serve(tmp_path, tmp_path / "first.ts")
    try:
        asset = str(upload_clip(first.url + "/api/v1", clip)["id"])
        status, layer = http_json("POST", first.url + "/api/v1/layers", {
            "id": "clip", "kind": "video", "content": {"asset": asset},
            "transform": {"x": 0, "y": 0, "width": SIZE[0], "height": SIZE[1]}})
        assert status == 201
        start = layer["content"]["start_frame"]
        assert isinstance(start, int), "the landing frame is written into the stored layer"
        _wait_frames(first, 45)
    finally:
        first.kill()  # SIGKILL mid-clip: no cleanup
    second = _serve(tmp_path, tmp_path / "second.ts")
    try:
        scene = http_json("GET", second.url + "/api/v1/scene")[1]
        assert scene["layers"][0]["content"]["start_frame"] == start
        output = _wait_frames(second, 60)
    finally:
        assert second.terminate() == 0
    live = read_recording(tmp_path / "second.ts")
    shown = _numbered(live, int(output["start_frame"]))
    in_phase = [f for f, i in shown.items() if i == f - start]
    assert len(in_phase) >= 0.9 * len(shown), (
        f"{len(in_phase)} of {len(shown)} frames show clip frame F - start_frame: "
        f"{sorted(shown.items())[:8]}")

    # The same scene rendered offline from the same first frame.
    scene_file = tmp_path / "scene.json"
    scene_file.write_text(json.dumps(scene))
    frames = sorted(shown)
    offline_out = tmp_path / "offline.ts"
    cli("render", str(scene_file), "--seconds", str(len(frames) / FPS), "-o", str(offline_out),
        "--data-dir", str(tmp_path / "data"), "--start-frame", str(frames[0]), "--no-progress")
    offline = read_recording(offline_out)
    offline_shown = _numbered(offline, frames[0])
    same = [f for f in frames if offline_shown.get(f) == shown[f]]
    assert offline_shown[frames[0] + 5] == frames[0] + 5 - start
    assert len(same) >= 0.95 * len(frames), "live and offline show the same clip frames"
    _assert_same_sound(live, offline)


def _assert_same_sound(live: Recording, offline: Recording) -> None:
    """Both recordings start on the same frame, so their sound should match sample for sample
    (AAC is deterministic for the same PCM); frames the live clock skipped are silence there."""
    n = min(len(live.audio), len(offline.audio)) - 4096
    assert n > 48_000
    per_frame = 48_000 // FPS
    a, b = live.audio[2048:2048 + n], offline.audio[2048:2048 + n]
    frames = n // per_frame
    close = sum(
        1 for f in range(frames)
        if float(np.abs(a[f * per_frame:(f + 1) * per_frame]
                        - b[f * per_frame:(f + 1) * per_frame]).max()) < 1e-3)
    assert float(np.abs(b).max()) > 0.1, "the offline render has the clip's sound"
    assert close >= 0.95 * frames, f"{close} of {frames} frames of sound match"
