"""Cues on air through ``compositor serve`` (160x90 @ 30, paced on the real house clock, the
program written to a file): a take ``at`` a frame with a transition lands on that frame, a
repeated request id takes once, and the preview of the cue at offset k is the program frame k
frames after the take landed (decoded pixels, with a tolerance), while 100 previews drop no
program frame (the pipeline's own counters)."""

from __future__ import annotations

import io
import math
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from PIL import Image

from tests.e2e.serve import ServeProcess, http_json, wait_for

FPS = 30
OFFSETS = (0, 6, 12, 30)
_CUE: dict[str, Any] = {"id": "box-in", "name": "Box in", "ops": [{"op": "add", "layer": {
    "id": "box", "kind": "color", "content": {"color": "#E02020"},
    "transform": {"x": 50, "y": 20, "width": 60, "height": 50},
    "enter": {"effect": "slide-left", "duration_frames": 20, "easing": "easeOutCubic"}}}]}


def _post_jpeg(url: str, body: dict[str, Any]) -> npt.NDArray[np.int16]:
    import json
    import urllib.request

    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.headers["Content-Type"] == "image/jpeg"
        data = response.read()
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(np.int16)


def _recording(path: Path, start_frame: int) -> dict[int, npt.NDArray[np.int16]]:
    frames: dict[int, npt.NDArray[np.int16]] = {}
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            assert frame.time is not None
            absolute = start_frame + round(Fraction(frame.time) * FPS)
            frames[absolute] = np.asarray(frame.to_ndarray(format="rgb24")).astype(np.int16)
    return frames


def _status(serve: ServeProcess) -> dict[str, Any]:
    status: dict[str, Any] = http_json("GET", serve.url + "/api/v1/output")[1]
    return status


def test_take_lands_on_its_frame_and_the_preview_is_what_went_on_air(tmp_path: Path) -> None:
    program = tmp_path / "program.mkv"
    serve = ServeProcess(tmp_path, "--width", "160", "--height", "90", "--fps", str(FPS),
                         "--output", str(program))
    try:
        serve.start()
        assert http_json("POST", serve.url + "/api/v1/layers", {
            "id": "bg", "kind": "color", "content": {"color": "#203040"},
            "transform": {"width": 160, "height": 90}})[0] == 201
        assert http_json("POST", serve.url + "/api/v1/cues", _CUE)[0] == 201
        previews = {k: _post_jpeg(serve.url + "/api/v1/preview",
                                  {"cue": "box-in", "frame_offset": k}) for k in OFFSETS}
        # 100 more previews (commit bodies and cues) while the program runs: none dropped.
        wait_for(lambda: _status(serve)["frames"] > 30, 30, "the program to run")
        before = _status(serve)
        for i in range(100):
            body: dict[str, Any] = {"cue": "box-in", "frame_offset": i} if i % 2 else {
                "ops": [{"op": "update", "id": "bg", "patch": {"opacity": i / 100}}]}
            _post_jpeg(serve.url + "/api/v1/preview", body)
        after = _status(serve)
        assert after["previews"]["served"] - before["previews"]["served"] >= 100
        assert (after["dropped"], after["late"]) == (before["dropped"], before["late"]), after
        at_frame = math.floor(time.time() * FPS) + 30
        take = {"at": {"frame": at_frame}, "request_id": "deck-7"}
        status, body = http_json("POST", serve.url + "/api/v1/cues/box-in/take", take)
        assert status == 200, body
        version = body["version"]
        assert http_json("POST", serve.url + "/api/v1/cues/box-in/take", take) == (200, body)
        assert http_json("GET", serve.url + "/api/v1/scene")[1]["version"] == version
        commit = wait_for(lambda: (c := http_json(
            "GET", f"{serve.url}/api/v1/commits/{version}")[1])["applied"] and c, 20,
            "the take's receipt")
        assert commit["applied"]["frame"] == at_frame == commit["frame"]
        assert commit["applied"]["late_frames"] == 0
        start_frame = _status(serve)["start_frame"]
        wait_for(lambda: _status(serve)["frames"] > at_frame - start_frame + max(OFFSETS) + 5,
                 20, "frames after the take")
        assert serve.terminate() == 0
    finally:
        serve.close()
    recorded = _recording(program, start_frame)
    assert at_frame - 1 in recorded and not np.array_equal(previews[0], previews[max(OFFSETS)])
    for k, preview in previews.items():
        on_air = recorded[at_frame + k]
        assert preview.shape == on_air.shape
        error = float(np.abs(preview - on_air).mean())
        assert error < 4.0, (k, error)
        if k:  # the comparison can fail: the box is in, the frame before the take differs
            assert float(np.abs(preview - recorded[at_frame - 1]).mean()) > 4 * error + 2, k
