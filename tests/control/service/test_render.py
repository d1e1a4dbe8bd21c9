"""``compositor render``: offline, unpaced, to mp4 (faststart) and mkv, with a progress bar."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from control.service.cli import main
from tests.compositor.media import decode_file

SCENE = {
    "width": 160, "height": 90, "fps": "30000/1001", "background": "#0000FFFF",
    "layers": [{"id": "box", "kind": "color", "content": {"color": "#FF0000"},
                "transform": {"x": 10, "y": 20, "width": 40, "height": 30}}],
}


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_render_scene_file_to_a_file(tmp_path: Path, suffix: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    scene_path = tmp_path / "scene.json"
    scene_path.write_text(json.dumps(SCENE))
    out = tmp_path / f"out{suffix}"
    code = main(["render", str(scene_path), "--seconds", "1.5", "-o", str(out),
                 "--encoder", "x264", "--bitrate", "500k", "--data-dir", str(tmp_path / "d")])
    assert code == 0, capsys.readouterr().err
    progress = capsys.readouterr().err
    assert "100%" in progress and "45/45 frames" in progress  # 1.5 s at 29.97 fps
    got = decode_file(str(out))
    assert len(got.frames) == 45
    assert got.average_rate is not None and abs(float(got.average_rate) - 29.97) < 0.01
    assert got.audio_codec == "aac"
    for frame in (got.frames[0], got.frames[-1]):
        assert np.abs(frame[35, 30].astype(int) - (255, 0, 0)).max() <= 40  # the box
        assert np.abs(frame[70, 120].astype(int) - (0, 0, 255)).max() <= 40  # background
    if suffix == ".mp4":
        data = out.read_bytes()
        assert 0 < data.find(b"moov") < data.find(b"mdat"), "faststart: index before media"


def test_render_reports_a_bad_scene(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scene_path = tmp_path / "bad.json"
    scene_path.write_text(json.dumps({"width": 161}))
    code = main(["render", str(scene_path), "--seconds", "1", "-o", str(tmp_path / "x.mp4"),
                 "--data-dir", str(tmp_path / "d")])
    assert code == 1
    assert "width" in capsys.readouterr().err


def test_render_to_unsupported_file_type_fails_cleanly(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    scene_path = tmp_path / "scene.json"
    scene_path.write_text(json.dumps(SCENE))
    code = main(["render", str(scene_path), "--seconds", "0.2", "-o", str(tmp_path / "x.avi"),
                 "--no-progress", "--data-dir", str(tmp_path / "d")])
    assert code == 1
    assert "unsupported file type" in capsys.readouterr().err
