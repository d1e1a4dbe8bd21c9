"""A scripted run for the as-run tests: changes over HTTP, the WebSocket, cues and the schedule
against a running service, then checks of its as-run log; and a frame-by-frame comparison of
two recordings of the same span."""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from websockets.sync.client import connect

from tests.e2e.serve import http_json, wait_for

__all__ = ["Run", "compare_recordings", "run_script"]


@dataclass
class Run:
    entries: list[dict[str, Any]]
    first_frame: int  # the frame of the first scripted change
    start_frame: int  # the recording's frame of pts 0
    span: tuple[int, int]  # a span of the recording holding every change
    sources: dict[int, str] = field(default_factory=dict)


def _setup(url: str) -> None:
    for layer in ({"id": "bg", "kind": "color", "content": {"color": "#203040"},
                   "transform": {"width": 160, "height": 90}},
                  {"id": "box", "kind": "color", "content": {"color": "#E0E020"},
                   "transform": {"x": 10, "y": 10, "width": 40, "height": 30}}):
        assert http_json("POST", url + "/api/v1/layers", layer)[0] == 201
    for name, colour in (("red", "#E02020"), ("green", "#20E020")):
        assert http_json("POST", url + "/api/v1/cues", {"id": name, "name": name.title(), "ops": [
            {"op": "update", "id": "box", "patch": {"content": {"color": colour}},
             "animate": {"duration_frames": 6}}]})[0] == 201


def _ws_commit(ws: Any, step: int) -> int:
    ws.send(json.dumps({"type": "commit", "id": f"r{step}", "ops": [
        {"op": "update", "id": "bg",
         "patch": {"content": {"color": f"#20{step % 8 * 30:02X}40"}}}]}))
    while True:
        message = json.loads(ws.recv(timeout=10))
        if message["type"] == "result" and message["id"] == f"r{step}":
            assert message["ok"], message
            version: int = message["version"]
            return version


def _step(url: str, ws: Any, step: int, sources: dict[int, str]) -> None:
    kind = ("http", "ws", "cue", "schedule")[step % 4]
    if kind == "http":
        status, body = http_json("POST", url + "/api/v1/commits", {"ops": [
            {"op": "update", "id": "box", "patch": {"transform": {"x": 10 + step * 7 % 100}},
             "animate": {"duration_frames": 8, "easing": "easeInOutQuad"}}]})
        assert status == 200, body
        sources[body["version"]] = "http"
    elif kind == "ws":
        sources[_ws_commit(ws, step)] = "ws"
    elif kind == "cue":
        status, body = http_json("POST", f"{url}/api/v1/cues/{('red', 'green')[step // 4 % 2]}"
                                 "/take", {"request_id": f"take-{step}"})
        assert status == 200, body
        sources[body["version"]] = "cue"
    else:
        status, body = http_json("POST", url + "/api/v1/commits", {"at": {"in_frames": 10}, "ops": [
            {"op": "update", "id": "box", "patch": {"transform": {"y": 10 + step * 5 % 50}}}]})
        assert status == 202, body


def _applied(url: str, version: int) -> int:
    commit = wait_for(lambda: (c := http_json("GET", f"{url}/api/v1/commits/{version}")[1])
                      .get("applied") and c, 20, f"version {version} on air")
    frame: int = commit["applied"]["frame"]
    return frame


def run_script(url: str, seconds: float, fps: int) -> Run:
    """Make changes for ``seconds``, wait until all are on air, check the as-run log."""
    _setup(url)
    first_version = http_json("GET", url + "/api/v1/scene")[1]["version"] + 1
    first_frame = _applied(url, first_version - 1) + 1  # the setup is on air before
    sources: dict[int, str] = {}
    deadline, step = time.monotonic() + seconds, 0
    with connect(url.replace("http", "ws") + "/api/v1/ws") as ws:
        while time.monotonic() < deadline:
            _step(url, ws, step, sources)
            step += 1
            time.sleep(0.15)
    wait_for(lambda: not http_json("GET", url + "/api/v1/schedule")[1]["entries"], 20,
             "the schedule to empty")
    last_version = http_json("GET", url + "/api/v1/scene")[1]["version"]
    frames = {v: _applied(url, v) for v in range(first_version, last_version + 1)}
    entries = http_json("GET", f"{url}/api/v1/as-run?from=frame:{first_frame}")[1]["entries"]
    assert [e["version"] for e in entries] == list(frames), entries
    for entry in entries:
        version = entry["version"]
        assert entry["frame"] == frames[version] and entry["on_air"], entry
        assert entry["source"] == sources.get(version, "schedule"), entry
        assert entry["layers"] == (["bg"] if entry["source"] == "ws" else ["box"]), entry
        assert (entry.get("cue") is not None) == (entry["source"] == "cue"), entry
    assert sum(e["source"] == "schedule" for e in entries) == step // 4
    request = urllib.request.Request(f"{url}/api/v1/as-run?from=frame:{first_frame}",
                                     headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert len(response.read().decode().strip().splitlines()) == len(entries) + 1
    start_frame = http_json("GET", url + "/api/v1/output")[1]["start_frame"]
    end = max(frames.values()) + 15
    span = (max(first_frame, end - 60 * fps), end)  # at most a minute is compared
    wait_for(lambda: http_json("GET", url + "/api/v1/output")[1]["frames"]
             > span[1] - start_frame + 5, 30, "the span to be recorded")
    return Run(entries, first_frame, start_frame, span, sources)


def _decoded(path: Path, start_frame: int, fps: int) -> dict[int, npt.NDArray[np.int16]]:
    frames: dict[int, npt.NDArray[np.int16]] = {}
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            assert frame.time is not None
            absolute = start_frame + round(Fraction(frame.time) * fps)
            frames[absolute] = np.asarray(frame.to_ndarray(format="rgb24")).astype(np.int16)
    return frames


def compare_recordings(live_path: Path, live_start: int, replay_path: Path, first: int,
                       last: int, fps: int, tolerance: float = 3.0) -> None:
    """Every frame of ``[first, last]`` the live recording has equals the replay's."""
    live = _decoded(live_path, live_start, fps)
    replay = _decoded(replay_path, first, fps)
    span = range(first, last + 1)
    assert sorted(replay) == list(span)
    compared = [f for f in span if f in live]
    assert len(compared) >= 0.9 * len(span), (len(compared), len(span))
    errors = {f: float(np.abs(live[f] - replay[f]).mean()) for f in compared}
    assert max(errors.values()) < tolerance, sorted(errors.items(), key=lambda kv: -kv[1])[:5]
    # The span moves: frames a few apart differ by far more than the tolerance.
    moving = sum(float(np.abs(replay[f] - replay[f - 3]).mean()) > 2 * tolerance
                 for f in span[3:])
    assert moving >= 5, moving
