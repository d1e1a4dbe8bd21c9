"""``compositor serve`` end to end: real redis-server, real nginx-rtmp, two processes.

A layer created over HTTP on the rendering process is on air (decoded back from RTMP) within
3 frames of the commit; WebSocket clients of both processes (the second runs ``--no-render``
on the same Redis) see the change; after SIGKILL the restarted process puts the same scene back
on air with every acknowledged commit; SIGTERM stops it cleanly (exit 0).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.e2e.serve import Player, ServeProcess, http_json, wait_for
from tests.rtmp_server import RtmpServer, rtmp_available
from tests.servers import RedisServer

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not rtmp_available(), reason="nginx-rtmp missing")]

FPS = 30
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
SAMPLE = (45, 80)
AAC_PRIMING_S = 1024 / 48_000  # (y, x): inside the top-left quadrant the green box covers


def _near(pixel: tuple[int, int, int], rgb: tuple[int, int, int], tolerance: int = 48) -> bool:
    return max(abs(a - b) for a, b in zip(pixel, rgb)) <= tolerance


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("e2e")
    with RedisServer(folder / "redis") as redis, RtmpServer() as rtmp:
        url = rtmp.url("e2e-key")
        common = ("--redis-url", redis.url, "--channel", "e2e", "--width", "320",
                  "--height", "180", "--fps", str(FPS), "--encoder", "x264",
                  "--log-format", "json")
        renderer = ServeProcess(folder, *common, "--output", url)
        replica = ServeProcess(folder, *common, "--no-render")
        try:
            renderer.start()
            replica.start()
            yield {"renderer": renderer, "replica": replica, "rtmp_url": url, "folder": folder}
        finally:
            renderer.close()
            replica.close()


def _changed(ws: Any, version: int) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=20))
        if message["type"] == "scene.changed" and message["version"] == version:
            return message


def test_layer_over_http_is_on_air_within_3_frames_and_relayed(world: dict[str, Any]) -> None:
    renderer, replica = world["renderer"], world["replica"]
    player = Player(world["rtmp_url"], SAMPLE)
    try:
        wait_for(lambda: len(player.times) >= 10, 60, "frames over RTMP")
        ws_base = renderer.url.replace("http", "ws")
        with connect(f"{ws_base}/api/v1/ws") as own, \
                connect(f"{replica.url.replace('http', 'ws')}/api/v1/ws") as relayed:
            assert json.loads(own.recv(timeout=10))["type"] == "hello"
            assert json.loads(relayed.recv(timeout=10))["type"] == "hello"
            sent_unix = time.time()
            status, layer = http_json("POST", renderer.url + "/api/v1/layers", {
                "id": "green", "kind": "color", "content": {"color": "#00FF00"},
                "transform": {"x": 0, "y": 0, "width": 160, "height": 90}})
            assert status == 201, layer
            version = http_json("GET", renderer.url + "/api/v1/scene")[1]["version"]
            for ws in (own, relayed):
                change = _changed(ws, version)
                assert change["ops"][0]["layer"]["id"] == "green"
        output = wait_for(lambda: _applied(renderer, version), 20, "the version on air")
        applied, start = output["applied"], output["start_frame"]
        # the encoder put this version on a frame at most 3 frames after the commit
        commit_frame = math.floor(sent_unix * FPS)
        assert applied["frame"] - commit_frame <= 3, (applied, commit_frame)
        assert applied["frame"] == start + applied["pts"]
        # and that frame, decoded back from the RTMP server, is the first one showing the box
        frames = wait_for(lambda: _after(player, (applied["pts"] + 5) / FPS), 20, "frames")
        first_green = next(_pts(t) for _, t, px in frames if _near(px, GREEN))
        assert first_green == applied["pts"], (first_green, applied)
        before = [px for _, t, px in frames if _pts(t) < applied["pts"]]
        assert before and not any(_near(px, GREEN) for px in before[-5:])
    finally:
        player.close()


def _pts(time_s: float) -> int:
    """The encoder pts of a frame decoded back at ``time_s``.

    The FLV muxer shifts every timestamp by the AAC encoder's priming delay (1024 samples at
    48 kHz), so that the audio starts at 0: video frame ``pts`` comes back at
    ``pts / fps + 1024 / 48000`` seconds.
    """
    return round((time_s - AAC_PRIMING_S) * FPS)


def _applied(serve: ServeProcess, version: int) -> dict[str, Any] | None:
    output: dict[str, Any] = http_json("GET", serve.url + "/api/v1/output")[1]
    applied = output.get("applied")
    return output if applied and applied["version"] >= version else None


def _after(player: Player, time_s: float) -> list[tuple[int, float, tuple[int, int, int]]]:
    frames = [f for f in player.snapshot() if f[0] == 0]
    return frames if frames and frames[-1][1] >= time_s else []


def test_sigkill_and_restart_brings_the_same_scene_back(world: dict[str, Any]) -> None:
    renderer = world["renderer"]
    code, _ = http_json("POST", renderer.url + "/api/v1/layers", {
        "id": "mover", "kind": "color", "content": {"color": "#0000FF"},
        "transform": {"x": 200, "y": 100, "width": 40, "height": 40}})
    assert code in (201, 409)
    versions = []
    for x in range(5):  # acknowledged commits, the last one puts the box at x=240
        code, body = http_json("POST", renderer.url + "/api/v1/commits", {"ops": [
            {"op": "update", "id": "mover", "patch": {"transform": {"x": 200 + 10 * x}}}]})
        assert code == 200, body
        versions.append(body["version"])
    before = http_json("GET", renderer.url + "/api/v1/scene")[1]
    assert before["version"] == versions[-1]
    renderer.kill()
    renderer.start()
    after = http_json("GET", renderer.url + "/api/v1/scene")[1]
    assert after == before, "the restarted service must serve exactly the committed scene"
    player = Player(world["rtmp_url"], (120, 250))  # inside the box at its last position
    try:
        frames = wait_for(lambda: [f for f in player.snapshot() if f[0] >= 0][5:], 60,
                          "frames after the restart")
        assert _near(frames[-1][2], BLUE), frames[-1]
    finally:
        player.close()
    assert renderer.terminate() == 0, renderer.log()
    log_lines = [json.loads(line) for line in renderer.log_path.read_text().splitlines()
                 if line.startswith("{")]
    assert any(line.get("msg") == "pipeline stopped" for line in log_lines)
    assert "e2e-key" not in renderer.log_path.read_text()
