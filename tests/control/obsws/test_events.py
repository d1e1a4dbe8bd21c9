"""Events follow the subscriptions: none with ``eventSubscriptions`` 0, the asked-for
categories after a Reidentify, and the high-volume SceneItemTransformChanged only for clients
that ask for it by its own bit. Changes made over HTTP produce them as changes made here do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.control.api.helpers import FakeProgram
from tests.control.obsws.live import PASSWORD, ObsLive
from tests.control.obsws.raw import RawClient

SCENE_ITEMS = 1 << 7
TRANSFORMS = 1 << 19
ALL = 0x7FF | (1 << 11)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[ObsLive]:
    with ObsLive(tmp_path, FakeProgram()) as server:
        assert server.http("POST", "/api/v1/layers", {
            "id": "box", "kind": "color", "content": {"color": "#FF0000"}})[0] == 201
        yield server


def _event(client: RawClient, event_type: str) -> dict[str, Any]:
    while True:
        message = client.recv()
        if message["op"] == 5 and message["d"]["eventType"] == event_type:
            data: dict[str, Any] = message["d"]
            return data


def _nothing_pending(client: RawClient) -> None:
    """The next message is the reply to a request sent now: no event was queued before it (an
    event goes to every session's queue at once, so the watcher having it means it is here)."""
    client.send(6, {"requestType": "GetVersion", "requestId": "probe"})
    message = client.recv()
    assert message["op"] == 7, f"an event arrived: {message}"


def test_subscriptions_filter_and_reidentify_changes_them(live: ObsLive) -> None:
    watcher, quiet = RawClient(live.obs_url), RawClient(live.obs_url)
    watcher.identify(PASSWORD, ALL | TRANSFORMS)
    quiet.identify(PASSWORD, 0)

    assert live.http("PATCH", "/api/v1/layers/box", {"visible": False})[0] == 200
    event = _event(watcher, "SceneItemEnableStateChanged")
    assert event["eventIntent"] == SCENE_ITEMS
    assert event["eventData"]["sceneItemEnabled"] is False
    assert event["eventData"]["sceneName"] == "Program"
    _nothing_pending(quiet)

    quiet.send(3, {"eventSubscriptions": SCENE_ITEMS})
    assert quiet.recv() == {"op": 2, "d": {"negotiatedRpcVersion": 1}}
    assert live.http("PATCH", "/api/v1/layers/box", {"visible": True})[0] == 200
    assert _event(quiet, "SceneItemEnableStateChanged")["eventData"]["sceneItemEnabled"]

    assert live.http("PATCH", "/api/v1/layers/box", {"transform": {"x": 12}})[0] == 200
    moved = _event(watcher, "SceneItemTransformChanged")
    assert moved["eventIntent"] == TRANSFORMS
    assert moved["eventData"]["sceneItemTransform"]["positionX"] == 12
    _nothing_pending(quiet)  # high volume: SceneItems alone does not bring it

    assert live.http("PATCH", "/api/v1/layers/box", {"content": {"color": "#00FF00"}})[0] == 200
    changed = _event(watcher, "InputSettingsChanged")
    assert changed["eventData"]["inputName"] == "box"
    assert changed["eventData"]["inputSettings"]["color"] == "#00FF00FF"

    assert live.http("POST", "/api/v1/layers", {
        "id": "extra", "kind": "color", "content": {"color": "#0000FF"}})[0] == 201
    assert _event(watcher, "SceneItemCreated")["eventData"]["sourceName"] == "extra"
    assert live.http("DELETE", "/api/v1/layers/extra")[0] == 204
    assert _event(watcher, "SceneItemRemoved")["eventData"]["sourceName"] == "extra"
    watcher.close()
    quiet.close()


def test_without_a_password_no_challenge_is_sent(tmp_path: Path) -> None:
    with ObsLive(tmp_path, FakeProgram(), password=None) as server:
        client = RawClient(server.obs_url)
        assert "authentication" not in client.hello["d"]
        assert client.identify(None)["op"] == 2
        assert client.request("GetSceneList")["responseData"]["scenes"] == []
        client.close()


def test_a_new_cue_changes_the_scene_list(live: ObsLive) -> None:
    client = RawClient(live.obs_url)
    client.identify(PASSWORD)
    assert live.http("POST", "/api/v1/cues", {"name": "Look A", "ops": []})[0] == 201
    scenes = _event(client, "SceneListChanged")["eventData"]["scenes"]
    assert [(s["sceneName"], s["sceneIndex"]) for s in scenes] == [("Look A", 0)]
    assert live.http("POST", "/api/v1/cues", {"name": "Look B", "ops": []})[0] == 201
    scenes = _event(client, "SceneListChanged")["eventData"]["scenes"]
    assert [(s["sceneName"], s["sceneIndex"]) for s in scenes] == [("Look B", 0), ("Look A", 1)]
    client.close()


def test_a_cue_named_like_the_program_scene_is_taken(live: ObsLive) -> None:
    assert live.http("POST", "/api/v1/cues", {"name": "Program", "ops": [
        {"op": "update", "id": "box", "patch": {"visible": False}}]})[0] == 201
    client = RawClient(live.obs_url)
    client.identify(PASSWORD)
    assert client.request("GetSourceActive", {"sourceName": "box"})["responseData"][
        "videoActive"] is True
    assert client.request("SetCurrentProgramScene", {"sceneName": "Program"})[
        "requestStatus"]["result"]
    assert live.http("GET", "/api/v1/layers/box")[1]["visible"] is False
    assert client.request("GetSourceActive", {"sourceName": "box"})["responseData"][
        "videoActive"] is False
    client.close()


def test_a_silent_client_is_closed_and_sessions_are_bounded(tmp_path: Path) -> None:
    with ObsLive(tmp_path, FakeProgram(), max_sessions=2) as server:
        silent = RawClient(server.obs_url)
        assert silent.closed_with(timeout_s=10) == 4007  # no Identify within the time (2 s)
        first, second = RawClient(server.obs_url), RawClient(server.obs_url)
        first.identify(PASSWORD)
        second.identify(PASSWORD)
        with connect(server.obs_url, open_timeout=10) as third:
            with pytest.raises(ConnectionClosed) as refused:
                third.recv(timeout=10)
            assert refused.value.rcvd is not None and refused.value.rcvd.code == 1013
        first.close()
        second.close()
