"""A live input through a real ``compositor serve``: nginx-rtmp on loopback carries both the
input (the ffmpeg CLI publishing a colour and a 1 kHz tone) and the program output, read back
with PyAV. The input's tone is in the program audio; the input dies and comes back while the
output's frame count keeps pace with the wall clock; the input's state goes ``lost`` (said on
the WebSocket, listed by a still-ready ``/readyz``) and ``live`` again with the reconnect
counted. The picture in the layer's box needs the renderer to draw input layers (engine)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import av
import numpy as np
import pytest
from websockets.sync.client import connect

from tests.compositor.inputs.probe import tone_hz
from tests.compositor.inputs.senders import Sender
from tests.e2e.serve import ServeProcess, http_json, wait_for
from tests.rtmp_server import RtmpServer, rtmp_available

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not rtmp_available(), reason="nginx-rtmp missing")]

FPS = 25
ORANGE = (0xE0, 0x90, 0x20)
BOX = {"x": 160, "y": 0, "width": 160, "height": 90}


class ProgramListener:
    """Plays the program RTMP on a thread: the sound (48 kHz, left channel) and one pixel of
    every picture (inside the input layer's box)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sound: list[np.ndarray] = []
        self.pixels: list[tuple[int, int, int]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48_000)
        while not self._stop.is_set():
            try:
                with av.open(self.url, options={"rtmp_live": "live"},
                             timeout=(5.0, 5.0)) as container:
                    frames: Iterator[Any] = container.decode(*container.streams)
                    for frame in frames:
                        if self._stop.is_set():
                            return
                        if isinstance(frame, av.AudioFrame):
                            for out in resampler.resample(frame):
                                with self._lock:
                                    self.sound.append(out.to_ndarray().reshape(-1))
                        else:
                            red, green, blue = frame.to_ndarray(format="rgb24")[45, 240]
                            with self._lock:
                                self.pixels.append((int(red), int(green), int(blue)))
            except av.FFmpegError:
                time.sleep(0.2)

    def recent_sound(self, seconds: float) -> np.ndarray:
        with self._lock:
            pcm = np.concatenate(self.sound) if self.sound else np.zeros(0, np.float32)
        return pcm[-int(seconds * 48_000):]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)


@pytest.fixture
def world(tmp_path: Any) -> Iterator[dict[str, Any]]:
    with RtmpServer() as rtmp:
        serve = ServeProcess(tmp_path, "--width", "320", "--height", "180", "--fps", str(FPS),
                             "--encoder", "x264", "--output", rtmp.url("program"))
        try:
            serve.start()
            yield {"rtmp": rtmp, "serve": serve}
        finally:
            serve.close()


def _input(serve: ServeProcess) -> dict[str, Any]:
    status, body = http_json("GET", serve.url + "/api/v1/inputs/cam")
    assert status == 200
    return body  # type: ignore[no-any-return]


def _frames(serve: ServeProcess) -> tuple[float, int, int]:
    body = http_json("GET", serve.url + "/api/v1/output")[1]
    return time.monotonic(), int(body["frames"]), int(body["dropped"])


def _keeps_pace(start: tuple[float, int, int], end: tuple[float, int, int]) -> None:
    """Frames made and dropped (a busy machine drops; the clock never waits) cover the wall
    clock, and few were dropped."""
    elapsed = end[0] - start[0]
    made, dropped = end[1] - start[1], end[2] - start[2]
    print(f"pace: {made} made + {dropped} dropped in {elapsed:.2f} s at {FPS} fps")
    assert abs(made + dropped - elapsed * FPS) <= 0.05 * elapsed * FPS + 3, (made, elapsed)
    assert dropped <= 0.1 * elapsed * FPS, (dropped, elapsed)


def test_input_on_air_lost_and_back(world: dict[str, Any]) -> None:
    rtmp, serve = world["rtmp"], world["serve"]
    sender = Sender(rtmp.url("cam"), "flv", color="E09020", tone_hz=1000.0)
    listener = ProgramListener(rtmp.url("program"))
    try:
        with connect(serve.url.replace("http", "ws") + "/api/v1/ws") as ws:
            _on_air_lost_and_back(serve, rtmp, listener, ws, sender)
    finally:
        listener.close()


def _on_air_lost_and_back(serve: ServeProcess, rtmp: RtmpServer, listener: ProgramListener,
                          ws: Any, sender: Sender) -> None:
    try:
        status, created = http_json("POST", serve.url + "/api/v1/inputs", {
            "id": "cam", "url": rtmp.url("cam"), "loss": {"hold_ms": 300, "then": "black"}})
        assert status == 201, created
        assert created["url"].endswith("/live/****")
        layer = {"id": "pip", "kind": "video", "content": {"input": "cam"}, "transform": BOX}
        assert http_json("POST", serve.url + "/api/v1/layers", layer)[0] == 201
        wait_for(lambda: _input(serve)["state"] == "live", 30, "the input live")

        def toned() -> bool:
            pcm = listener.recent_sound(1.0)
            return len(pcm) == 48_000 and float(np.abs(pcm).max()) > 0.05 \
                and abs(tone_hz(np.stack([pcm, pcm], axis=1)) - 1000) < 20
        wait_for(toned, 20, "the input's tone in the program audio")

        before = _frames(serve)
        sender.kill()
        wait_for(lambda: _input(serve)["state"] == "lost", 5, "lost")
        ready = http_json("GET", serve.url + "/readyz")
        assert ready[0] == 200 and "input cam" in ready[1]["problems"]
        wait_for(lambda: float(np.abs(listener.recent_sound(0.5)).max()) < 0.01, 10,
                 "silence while lost")
        wait_for(lambda: _input(serve)["reconnects"] >= 1, 15, "a reconnect")
        sender = Sender(rtmp.url("cam"), "flv", color="3080C0", tone_hz=1000.0)
        back = time.monotonic()
        wait_for(lambda: _input(serve)["state"] == "live", 5, "live within 5 s")
        assert time.monotonic() - back <= 5
        wait_for(toned, 20, "the tone back")
        _keeps_pace(before, _frames(serve))

        states: list[str] = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and states[-3:] != ["live", "lost", "live"]:
            message = json.loads(ws.recv(timeout=10))
            if message["type"] == "input.state":
                assert message["input"]["id"] == "cam" and "****" in message["input"]["url"]
                states.append(message["input"]["state"])
        assert states[-3:] == ["live", "lost", "live"], states
        metrics = serve_metrics(serve)
        assert 'compositor_input_state{input="cam",state="live"} 1.0' in metrics
    finally:
        sender.kill()


def test_input_picture_in_the_layer_box(world: dict[str, Any]) -> None:
    rtmp, serve = world["rtmp"], world["serve"]
    listener = ProgramListener(rtmp.url("program"))
    try:
        with Sender(rtmp.url("cam"), "flv", color="E09020"):
            http_json("POST", serve.url + "/api/v1/inputs", {"id": "cam", "url": rtmp.url("cam")})
            layer = {"id": "pip", "kind": "video", "content": {"input": "cam"}, "transform": BOX}
            assert http_json("POST", serve.url + "/api/v1/layers", layer)[0] == 201
            wait_for(lambda: _input(serve)["state"] == "live", 30, "the input live")

            def orange() -> bool:
                pixel = listener.pixels[-1] if listener.pixels else (0, 0, 0)
                return max(abs(a - b) for a, b in zip(pixel, ORANGE, strict=True)) <= 24
            wait_for(orange, 10, "the input's colour in the layer's box")
    finally:
        listener.close()


def serve_metrics(serve: ServeProcess) -> str:
    import urllib.request
    with urllib.request.urlopen(serve.url + "/metrics", timeout=10) as response:
        return str(response.read().decode())
