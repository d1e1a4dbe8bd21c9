"""Two processes on one Redis: a clip uploaded through one ``compositor serve`` is played by
``compositor render`` in another process with its own data directory (another host, as far as
files go): the bytes travel as Redis chunk keys into that process's verified local cache. Also
``compositor asset add`` for clips."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from control.service import cli
from tests.e2e.serve import ServeProcess
from tests.media_factory import MediaCache, index_of_color, truncated_copy
from tests.servers import RedisServer

REPO = Path(__file__).resolve().parents[3]



def _upload(url: str, path: Path) -> str:
    import urllib.request

    request = urllib.request.Request(url + "/api/v1/assets", data=path.read_bytes(),
                                     method="POST", headers={"Content-Type": "video/mp4"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return str(json.loads(response.read())["id"])


def _decode(path: Path) -> tuple[list[int | None], np.ndarray]:
    """The counter index of every video frame (centre pixel) and the audio, (n, 2) float."""
    indexes: list[int | None] = []
    sound: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24")
            indexes.append(index_of_color(rgb[rgb.shape[0] // 2, rgb.shape[1] // 2]))
    with av.open(str(path)) as container:
        for audio in container.decode(audio=0):
            sound.append(audio.to_ndarray().reshape(-1, 2) if audio.format.is_packed
                         else audio.to_ndarray().T)
    return indexes, np.concatenate(sound)


def test_a_clip_uploaded_through_serve_plays_in_render_on_another_host(
        tmp_path: Path, media: MediaCache) -> None:
    with RedisServer(tmp_path / "redis") as redis:
        serve = ServeProcess(tmp_path / "a", "--redis-url", redis.url, "--no-render")
        (tmp_path / "a").mkdir()
        serve.start()
        try:
            asset = _upload(serve.url, media.counter(fps=25, seconds=2.0, amplitude=0.5))
        finally:
            serve.close()
        scene = {"width": 160, "height": 90, "fps": 25, "layers": [
            {"id": "clip", "kind": "video", "content": {"asset": asset},
             "transform": {"width": 160, "height": 90}}]}
        (tmp_path / "scene.json").write_text(json.dumps(scene))
        out = tmp_path / "out.mp4"
        result = subprocess.run(
            [sys.executable, "-m", "control.service.cli", "render", str(tmp_path / "scene.json"),
             "--seconds", "1", "-o", str(out), "--no-progress", "--start-frame", "1000",
             "--redis-url", redis.url, "--data-dir", str(tmp_path / "b")],
            cwd=REPO, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    # The clip starts on the render's first frame (its start_frame was null).
    indexes, sound = _decode(out)
    assert indexes == list(range(25)), indexes
    assert (tmp_path / "b" / "asset-cache" / asset).stat().st_size > 0
    rms = float(np.sqrt(np.mean(np.square(sound[12_000:36_000]))))
    assert 0.32 < rms < 0.39, rms  # the clip's tone: a sine of amplitude 0.5 (AAC both ways)


def test_asset_add_imports_clips_and_refuses_broken_ones(
        tmp_path: Path, media: MediaCache, capsys: pytest.CaptureFixture[str]) -> None:
    good = media.counter(fps=Fraction(30000, 1001), seconds=1.0)
    broken = truncated_copy(good, tmp_path / "broken.mp4")
    sound = media.audio(".wav")
    code = cli.main(["asset", "add", "--data-dir", str(tmp_path / "data"), str(good),
                     str(broken), str(sound)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert (lines[0]["kind"], lines[0]["width"], lines[0]["has_audio"]) == ("video", 64, True)
    assert abs(lines[0]["fps"] - 29.97) < 0.01
    assert "error" in lines[1] and "id" not in lines[1]
    assert lines[2]["kind"] == "audio"
    stored = sorted(p.name for p in (tmp_path / "data" / "assets").iterdir() if p.is_file())
    assert stored == sorted([lines[0]["id"], lines[0]["id"] + ".json",
                             lines[2]["id"], lines[2]["id"] + ".json"])
    assert list((tmp_path / "data" / "assets" / ".incoming").iterdir()) == []


def test_render_refuses_a_scene_whose_clip_it_cannot_play(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = "ab" * 32
    scene = {"width": 64, "height": 36, "fps": 25, "layers": [
        {"id": "bed", "kind": "audio", "content": {"asset": missing}}]}
    (tmp_path / "scene.json").write_text(json.dumps(scene))
    code = cli.main(["render", str(tmp_path / "scene.json"), "--seconds", "1", "-o",
                     str(tmp_path / "out.mp4"), "--no-progress", "--data-dir",
                     str(tmp_path / "data")])
    assert code == 1
    assert f"clip {missing}" in capsys.readouterr().err
    assert not (tmp_path / "out.mp4").exists()
