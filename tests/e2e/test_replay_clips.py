"""The journal re-render of a span in which a clip starts and stops equals the recording frame
by frame (``compositor serve`` with the embedded store, then ``render --from-journal``), but for
the clip's first frame on air: live, the clip's first picture is not decoded yet on that frame
(the program never waits for media), offline it is (the render waits). Known; see
docs/operators.md."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.e2e.as_run_script import compare_recordings
from tests.e2e.serve import ServeProcess, http_json, wait_for
from tests.media_factory import MediaCache

FPS = 25


def _upload(url: str, path: Path) -> str:
    request = urllib.request.Request(url + "/api/v1/assets", data=path.read_bytes(),
                                     method="POST", headers={"Content-Type": "video/mp4"})
    with urllib.request.urlopen(request, timeout=60) as response:
        asset: str = json.loads(response.read())["id"]
        return asset


def _aired(url: str, version: int) -> int:
    commit = wait_for(lambda: (c := http_json("GET", f"{url}/api/v1/commits/{version}")[1])
                      .get("applied") and c, 20, f"version {version} on air")
    frame: int = commit["applied"]["frame"]
    return frame


def test_a_clip_that_starts_and_stops_is_re_rendered_as_it_aired(tmp_path: Path) -> None:
    clip = MediaCache(tmp_path / "media").counter(fps=FPS, seconds=2.0, audio=False)
    program = tmp_path / "program.mkv"
    serve = ServeProcess(tmp_path, "--width", "160", "--height", "90", "--fps", str(FPS),
                         "--output", str(program))
    try:
        serve.start()
        asset = _upload(serve.url, clip)
        assert http_json("POST", serve.url + "/api/v1/layers", {
            "id": "bg", "kind": "color", "content": {"color": "#203040"},
            "transform": {"width": 160, "height": 90}})[0] == 201
        first = _aired(serve.url, 1) + 1
        status, body = http_json("POST", serve.url + "/api/v1/commits", {"ops": [
            {"op": "add", "layer": {"id": "clip", "kind": "video",
                                    "content": {"asset": asset, "loop": True},
                                    "transform": {"x": 40, "y": 20, "width": 80,
                                                  "height": 45}}}]})
        assert status == 200, body
        started = _aired(serve.url, body["version"])
        output = http_json("GET", serve.url + "/api/v1/output")[1]
        wait_for(lambda: http_json("GET", serve.url + "/api/v1/output")[1]["frames"]
                 > started - output["start_frame"] + 40, 20, "the clip to play a while")
        status, removed = http_json("POST", serve.url + "/api/v1/commits", {"ops": [
            {"op": "remove", "id": "clip"}]})
        assert status == 200, removed
        stopped = _aired(serve.url, removed["version"])
        assert stopped > started
        output = http_json("GET", serve.url + "/api/v1/output")[1]
        start_frame, last = output["start_frame"], stopped + 10
        wait_for(lambda: http_json("GET", serve.url + "/api/v1/output")[1]["frames"]
                 > last - start_frame + 5, 20, "frames after the clip")
        assert serve.terminate() == 0
    finally:
        serve.close()
    replay = tmp_path / "replay.mkv"
    subprocess.run([sys.executable, "-m", "control.service.cli", "render", "--data-dir",
                    str(tmp_path / "data"), "--from-journal", f"frame:{first}", f"frame:{last}",
                    "-o", str(replay), "--no-progress", "--no-audio"], check=True, timeout=300)
    compare_recordings(program, start_frame, replay, started + 1, last, FPS, replay_first=first)
