"""OBS controllers drive ``compositor serve`` over obs-websocket, with two clients nobody here
wrote: obsws-python (PyPI) and obs-websocket-js (npm, run by node).

Each connects with the password, lists the scenes (the cues), starts the stream to a real
nginx-rtmp server, switches scene (the cue is taken: the program frame turns red, and the
stream played back from nginx shows it), hides and shows a scene item (the layer leaves and
comes back on air), sets a text input's text (the text on air changes), stops the stream, and
hears the events of all of it. A wrong password is closed with 4009.
"""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pytest
from PIL import Image

from tests.control.obsws.node_client import NodeObs
from tests.control.obsws.pyclient import ALL_AND_TRANSFORMS, PyObs
from tests.e2e.serve import Player, ServeProcess, http_json, wait_for
from tests.rtmp_server import RtmpServer, rtmp_available
from tests.servers import free_port, wait_for_port

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not rtmp_available(), reason="nginx-rtmp missing")]

PASSWORD = "obs-e2e-password"
W, H = 160, 90
BG = (5, 5)  # (x, y) of a background pixel
BOX = (80, 30)  # the centre of the green box
TITLE = (0, 60, 160, 90)  # the text's region (left, top, right, bottom)


class Client(Protocol):
    def call(self, request: str, data: dict[str, Any] | None = None) -> dict[str, Any]: ...

    def event(self, event: str, **expected: Any) -> dict[str, Any]: ...


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[ServeProcess, RtmpServer, int]]:
    obs_port = free_port()
    serve = ServeProcess(tmp_path, "--width", str(W), "--height", str(H), "--fps", "30",
                         "--obs-websocket-port", str(obs_port),
                         "--obs-websocket-password", PASSWORD)
    with RtmpServer() as rtmp:
        try:
            serve.start()
            # /readyz is the API's; the endpoint starts listening once the API has started.
            wait_for_port(obs_port, 30, serve.proc)
            _setup(serve.url)
            yield serve, rtmp, obs_port
            assert serve.terminate() == 0, serve.log()  # both servers stop on SIGTERM
        finally:
            serve.close()


def _setup(url: str) -> None:
    layers = [
        {"id": "bg", "name": "Background", "kind": "color", "content": {"color": "#000000"},
         "transform": {"width": W, "height": H}},
        {"id": "box", "name": "Box", "kind": "color", "content": {"color": "#00FF00"},
         "transform": {"x": 70, "y": 20, "width": 20, "height": 20}},
        {"id": "title", "name": "Title", "kind": "text", "content": {"text": "i", "size_px": 24},
         "transform": {"x": 4, "y": 62}},
    ]
    for layer in layers:
        assert http_json("POST", url + "/api/v1/layers", layer)[0] == 201
    for name, color in (("Red", "#FF0000"), ("Blue", "#0000FF")):
        assert http_json("POST", url + "/api/v1/cues", {"name": name, "ops": [
            {"op": "update", "id": "bg", "patch": {"content": {"color": color}}}]})[0] == 201


def _frame(url: str) -> np.ndarray:
    with urllib.request.urlopen(url + "/api/v1/preview.jpg", timeout=10) as response:
        return np.asarray(Image.open(io.BytesIO(response.read())).convert("RGB")).astype(int)


def _is(pixel: np.ndarray, rgb: tuple[int, int, int]) -> bool:
    return bool(np.abs(pixel - np.array(rgb)).max() < 60)


def _on_air(url: str, at: tuple[int, int], rgb: tuple[int, int, int], what: str) -> None:
    wait_for(lambda: _is(_frame(url)[at[1], at[0]], rgb), 15, what)


def _ink(url: str) -> int:
    """Bright pixels in the title's region of the program frame (how much text is on air)."""
    left, top, right, bottom = TITLE
    return int((_frame(url)[top:bottom, left:right].min(axis=2) > 128).sum())


def _ok(reply: dict[str, Any]) -> dict[str, Any]:
    assert reply["ok"], reply
    return dict(reply.get("response") or {})


def _scenario(client: Client, serve: ServeProcess, rtmp: RtmpServer) -> None:
    scenes = _ok(client.call("GetSceneList"))
    assert sorted(s["sceneName"] for s in scenes["scenes"]) == ["Blue", "Red"]

    _ok(client.call("SetStreamServiceSettings", {
        "streamServiceType": "rtmp_custom",
        "streamServiceSettings": {"server": rtmp.url("").rstrip("/"), "key": "obs"}}))
    _ok(client.call("StartStream"))
    client.event("StreamStateChanged", outputState="OBS_WEBSOCKET_OUTPUT_STARTED")
    player = Player(rtmp.url("obs"), at=(BG[1], BG[0]))
    try:
        _ok(client.call("SetCurrentProgramScene", {"sceneName": "Red"}))
        client.event("CurrentProgramSceneChanged", sceneName="Red")
        _on_air(serve.url, BG, (255, 0, 0), "the Red cue on the program frame")
        wait_for(lambda: any(_is(np.array(p), (255, 0, 0)) for _, _, p in player.snapshot()),
                 30, "red in the stream played back from nginx")
    finally:
        player.close()
    assert _ok(client.call("GetCurrentProgramScene"))["sceneName"] == "Red"

    box = _ok(client.call("GetSceneItemId", {"sceneName": "Red", "sourceName": "Box"}))
    item = {"sceneName": "Red", "sceneItemId": box["sceneItemId"]}
    _on_air(serve.url, BOX, (0, 255, 0), "the box on air")
    _ok(client.call("SetSceneItemEnabled", {**item, "sceneItemEnabled": False}))
    client.event("SceneItemEnableStateChanged", sceneItemEnabled=False, **item)
    _on_air(serve.url, BOX, (255, 0, 0), "the box off air (the red background there)")
    _ok(client.call("SetSceneItemEnabled", {**item, "sceneItemEnabled": True}))
    _on_air(serve.url, BOX, (0, 255, 0), "the box back on air")

    before = _ink(serve.url)
    _ok(client.call("SetInputSettings", {"inputName": "Title",
                                         "inputSettings": {"text": "WWWWWW"}}))
    client.event("InputSettingsChanged", inputName="Title")
    wait_for(lambda: _ink(serve.url) > before + 100, 15, "the new text on air")

    _ok(client.call("StopStream"))
    client.event("StreamStateChanged", outputState="OBS_WEBSOCKET_OUTPUT_STOPPED")
    assert _ok(client.call("GetStreamStatus"))["outputActive"] is False
    unknown = client.call("TriggerHotkeyByName", {"hotkeyName": "x"})
    assert unknown["ok"] is False and unknown["code"] == 204


def test_obsws_python_drives_the_compositor(
        service: tuple[ServeProcess, RtmpServer, int]) -> None:
    serve, rtmp, port = service
    with PyObs(port, PASSWORD, ALL_AND_TRANSFORMS) as client:
        _scenario(client, serve, rtmp)


def test_obs_websocket_js_drives_the_compositor(
        service: tuple[ServeProcess, RtmpServer, int]) -> None:
    serve, rtmp, port = service
    url = f"ws://127.0.0.1:{port}"
    with NodeObs(url, "not the password", ALL_AND_TRANSFORMS) as refused:
        assert refused.connected().get("connectError") == 4009
    with NodeObs(url, PASSWORD, ALL_AND_TRANSFORMS) as client:
        assert client.connected().get("connected") == 1
        _scenario(client, serve, rtmp)
        batch = client.batch([{"requestType": "GetVersion"}, {"requestType": "GetStats"}])
        assert batch["ok"], batch
        assert [r["requestStatus"]["code"] for r in batch["response"]] == [100, 100]
