"""A scheduled commit goes on air on exactly the requested frame, and its receipt says so.

``compositor serve`` (160x90 @ 30, paced on the real house clock) writes the program to a file;
a colour layer is red, a commit scheduled ``in_frames`` ahead turns it blue. The WebSocket gets
``commit.applied`` naming the frame, ``GET /api/v1/commits/{v}`` says the same, and the decoded
file's first blue frame is that frame (its pts + the output's start frame).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from websockets.sync.client import connect

from tests.e2e.serve import ServeProcess, http_json, wait_for

FPS = 30


def _applied(ws: Any, version: int) -> dict[str, Any]:
    for _ in range(1000):
        message: dict[str, Any] = json.loads(ws.recv(timeout=30))
        if message["type"] == "commit.applied" and message["version"] == version:
            return message
    raise AssertionError(f"no commit.applied for version {version}")


def _decoded_colours(path: Path, start_frame: int) -> list[tuple[int, str]]:
    """(absolute frame, "red" | "blue" | "other") of every frame in the file."""
    result: list[tuple[int, str]] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            rgb = np.asarray(frame.to_ndarray(format="rgb24"))[45, 80].astype(int)
            colour = "red" if rgb[0] > 180 and rgb[2] < 80 else \
                "blue" if rgb[2] > 180 and rgb[0] < 80 else "other"
            assert frame.time is not None
            result.append((start_frame + round(Fraction(frame.time) * FPS), colour))
    return result


def test_a_scheduled_commit_lands_on_its_frame(tmp_path: Path) -> None:
    program = tmp_path / "program.mkv"
    serve = ServeProcess(tmp_path, "--width", "160", "--height", "90", "--fps", str(FPS),
                         "--output", str(program))
    try:
        serve.start()
        status, _ = http_json("POST", serve.url + "/api/v1/layers", {
            "id": "bg", "kind": "color", "content": {"color": "#FF0000"},
            "transform": {"width": 160, "height": 90}})
        assert status == 201
        with connect(serve.url.replace("http", "ws") + "/api/v1/ws") as ws:
            hello = json.loads(ws.recv(timeout=10))
            version = hello["version"] + 1
            status, body = http_json("POST", serve.url + "/api/v1/commits", {
                "at": {"in_frames": 45},
                "ops": [{"op": "update", "id": "bg", "patch": {"content": {"color": "#0000FF"}}}]})
            assert status == 202, body
            at_frame = body["scheduled"]["at_frame"]
            applied = _applied(ws, version)
        assert applied["frame"] == at_frame and applied["late_frames"] == 0
        status, commit = http_json("GET", f"{serve.url}/api/v1/commits/{version}")
        assert status == 200
        assert commit["at_frame"] == at_frame and commit["frame"] == at_frame
        assert commit["applied"]["frame"] == at_frame
        assert commit["applied"]["pts"] == applied["pts"]
        output = http_json("GET", serve.url + "/api/v1/output")[1]
        start_frame = output["start_frame"]
        assert applied["pts"] == at_frame - start_frame
        wait_for(lambda: http_json("GET", serve.url + "/api/v1/output")[1]["frames"]
                 > applied["pts"] + 10, 20, "frames after the change")
        assert serve.terminate() == 0
    finally:
        serve.close()
    colours = _decoded_colours(program, start_frame)
    first_blue = next(frame for frame, colour in colours if colour == "blue")
    assert first_blue == at_frame
    before = [colour for frame, colour in colours if frame == at_frame - 1]
    assert before == ["red"]  # the frame before was encoded, and still red
