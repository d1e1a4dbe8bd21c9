"""obs-websocket-js (npm; its JSON build, run by node) against the endpoint in process: the
password, scenes, a take, scene items, inputs, the stream, a batch, and the events, also of a
change made over HTTP. (``tests/e2e/test_obs_websocket.py`` runs its default MessagePack build
against ``compositor serve`` and checks the picture on air.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.control.api.helpers import FakeProgram
from tests.control.obsws.live import PASSWORD, ObsLive
from tests.control.obsws.node_client import NodeObs

SUBSCRIPTIONS = (1 << 2) | (1 << 3) | (1 << 6) | (1 << 7)  # Scenes, Inputs, Outputs, SceneItems


@pytest.fixture
def live(tmp_path: Path) -> Iterator[ObsLive]:
    with ObsLive(tmp_path, FakeProgram()) as server:
        assert server.http("POST", "/api/v1/layers", {
            "id": "title", "name": "Title", "kind": "text", "content": {"text": "Before"}})[0] \
            == 201
        assert server.http("POST", "/api/v1/cues", {"name": "Clear", "ops": [
            {"op": "update", "id": "title", "patch": {"opacity": 0.5}}]})[0] == 201
        yield server


def test_obs_websocket_js_json_build(live: ObsLive) -> None:
    with NodeObs(live.obs_url, "wrong", SUBSCRIPTIONS, "json") as refused:
        assert refused.connected().get("connectError") == 4009
    with NodeObs(live.obs_url, PASSWORD, SUBSCRIPTIONS, "json") as client:
        assert client.connected().get("connected") == 1
        scenes = client.call("GetSceneList")["response"]["scenes"]
        assert [s["sceneName"] for s in scenes] == ["Clear"]
        assert client.call("SetCurrentProgramScene", {"sceneName": "Clear"})["ok"]
        assert live.http("GET", "/api/v1/layers/title")[1]["opacity"] == 0.5
        client.event("CurrentProgramSceneChanged", sceneName="Clear")

        item = client.call("GetSceneItemId", {"sceneName": "Clear", "sourceName": "Title"})
        item_id = item["response"]["sceneItemId"]
        assert client.call("SetSceneItemEnabled", {"sceneName": "Clear", "sceneItemId": item_id,
                                                   "sceneItemEnabled": False})["ok"]
        assert live.http("GET", "/api/v1/layers/title")[1]["visible"] is False
        client.event("SceneItemEnableStateChanged", sceneItemId=item_id, sceneItemEnabled=False)

        assert client.call("SetInputSettings", {"inputName": "Title",
                                                "inputSettings": {"text": "After"}})["ok"]
        assert live.http("GET", "/api/v1/layers/title")[1]["content"]["text"] == "After"
        client.event("InputSettingsChanged", inputName="Title")
        assert live.http("PATCH", "/api/v1/layers/title", {"content": {"text": "HTTP"}})[0] \
            == 200
        assert client.event("InputSettingsChanged", inputName="Title")  # the first one
        settings = client.event("InputSettingsChanged", inputName="Title",
                                inputSettings=client.call("GetInputSettings", {
                                    "inputName": "Title"})["response"]["inputSettings"])
        assert settings["inputSettings"]["text"] == "HTTP"

        assert client.call("StartStream")["ok"]
        client.event("StreamStateChanged", outputState="OBS_WEBSOCKET_OUTPUT_STARTED")
        assert client.call("StopStream")["ok"]
        client.event("StreamStateChanged", outputState="OBS_WEBSOCKET_OUTPUT_STOPPED")
        stopped = client.call("StopStream")
        assert stopped["ok"] is False and stopped["code"] == 501

        batch = client.batch([{"requestType": "GetVersion"}, {"requestType": "Nope"},
                              {"requestType": "GetStreamStatus"}], haltOnFailure=True)
        assert [r["requestStatus"]["code"] for r in batch["response"]] == [100, 204]
