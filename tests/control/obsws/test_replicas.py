"""Two processes (here: two apps) share one real redis-server: a cue taken through one
endpoint is the program scene of the other, which hears it on the change feed, and a process
started later learns it from the journal."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from control.service.settings import Settings
from control.service.stores import open_store
from tests.control.api.helpers import FakeProgram
from tests.control.obsws.live import PASSWORD, ObsLive
from tests.control.obsws.raw import RawClient
from tests.servers import RedisServer


@pytest.fixture
def redis_settings(tmp_path: Path) -> Iterator[Settings]:
    with RedisServer(tmp_path / "redis") as server:
        yield Settings(redis_url=server.url, channel="obs" + uuid.uuid4().hex[:8],
                       data_dir=tmp_path)


def _event(client: RawClient, event_type: str) -> dict[str, object]:
    while True:
        message = client.recv()
        if message["op"] == 5 and message["d"]["eventType"] == event_type:
            data: dict[str, object] = message["d"]["eventData"]
            return data


def test_a_take_on_one_replica_is_the_program_scene_of_the_others(
        tmp_path: Path, redis_settings: Settings) -> None:
    def replica(name: str) -> ObsLive:
        return ObsLive(tmp_path / name, FakeProgram(), store=open_store(redis_settings))

    with replica("a") as a, replica("b") as b:
        assert a.http("POST", "/api/v1/layers", {
            "id": "box", "name": "Box", "kind": "color", "content": {"color": "#FF0000"}})[0] \
            == 201
        assert a.http("POST", "/api/v1/cues", {"name": "Hide box", "ops": [
            {"op": "update", "id": "box", "patch": {"visible": False}}]})[0] == 201
        watcher = RawClient(a.obs_url)
        watcher.identify(PASSWORD)
        taker = RawClient(b.obs_url)
        taker.identify(PASSWORD)
        assert taker.request("SetCurrentProgramScene", {"sceneName": "Hide box"})[
            "requestStatus"]["result"]
        assert _event(watcher, "CurrentProgramSceneChanged")["sceneName"] == "Hide box"
        assert _event(watcher, "SceneItemEnableStateChanged")["sceneItemEnabled"] is False
        assert watcher.request("GetCurrentProgramScene")["responseData"]["sceneName"] \
            == "Hide box"
        box = watcher.request("GetSceneItemId", {"sceneName": "Hide box", "sourceName": "Box"})
        assert box["responseData"]["sceneItemId"] == taker.request("GetSceneItemId", {
            "sceneName": "Hide box", "sourceName": "Box"})["responseData"]["sceneItemId"]
        watcher.close()
        taker.close()
        with replica("c") as c:
            late = RawClient(c.obs_url)
            late.identify(PASSWORD)
            assert late.request("GetCurrentProgramScene")["responseData"]["sceneName"] \
                == "Hide box"
            late.close()
