"""obsws-python (PyPI; a client nobody here wrote) drives the endpoint over real sockets: scenes
are the cues, switching scene takes one, scene items and inputs are the layers, the stream is the
program output, and its event client hears every change, also those made over HTTP."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import obsws_python as obs
import pytest
from obsws_python.error import OBSSDKError, OBSSDKRequestError

from tests.control.api.helpers import FakeProgram
from tests.control.obsws.live import PASSWORD, ObsLive
from tests.control.obsws.pyclient import ALL_AND_TRANSFORMS, Events, PyObs


@pytest.fixture
def live(tmp_path: Path) -> Iterator[ObsLive]:
    with ObsLive(tmp_path, FakeProgram()) as server:
        assert server.http("POST", "/api/v1/layers", {
            "id": "bg", "name": "Background", "kind": "color",
            "content": {"color": "#000000"}})[0] == 201
        assert server.http("POST", "/api/v1/layers", {
            "id": "title", "name": "Title", "kind": "text", "content": {"text": "Before"},
            "transform": {"x": 10, "y": 20}})[0] == 201
        for name, color in (("Red", "#FF0000"), ("Blue", "#0000FF")):
            assert server.http("POST", "/api/v1/cues", {"name": name, "ops": [
                {"op": "update", "id": "bg", "patch": {"content": {"color": color}}}]})[0] == 201
        yield server


def _layer(live: ObsLive, layer_id: str) -> dict[str, Any]:
    status, body = live.http("GET", f"/api/v1/layers/{layer_id}")
    assert status == 200
    return dict(body)


def test_scenes_are_cues_and_switching_takes_one(live: ObsLive) -> None:
    events = Events()
    with obs.EventClient(host="127.0.0.1", port=live.obs_port, password=PASSWORD,
                         subs=ALL_AND_TRANSFORMS, timeout=10) as listener:
        listener.callback.register(events.callbacks())
        client = obs.ReqClient(host="127.0.0.1", port=live.obs_port, password=PASSWORD,
                               timeout=10)
        assert client.get_version().rpc_version == 1
        scenes = client.get_scene_list()
        assert sorted(scene["sceneName"] for scene in scenes.scenes) == ["Blue", "Red"]
        assert scenes.current_program_scene_name == "Program"
        client.set_current_program_scene("Red")
        assert _layer(live, "bg")["content"]["color"] == "#FF0000FF"
        store = live.app.state.control.store
        taken = live.call(store.journal(0))[-1]  # an ordinary commit, made by a controller
        assert taken.meta["source"] == "controller"
        assert taken.meta["cue_name"] == "Red"
        assert client.get_current_program_scene().scene_name == "Red"
        events.wait("CurrentProgramSceneChanged", scene_name="Red")
        with pytest.raises(OBSSDKRequestError) as missing:
            client.set_current_program_scene("No such cue")
        assert missing.value.code == 600
        client.disconnect()


def test_studio_mode_previews_a_cue_and_the_transition_takes_it(live: ObsLive) -> None:
    """Stream Deck's and Companion's studio-mode buttons: pick a preview scene, transition."""
    with PyObs(live.obs_port, PASSWORD, ALL_AND_TRANSFORMS) as both:
        client, events = both.client, both.events
        assert client.get_studio_mode_enabled().studio_mode_enabled is False
        with pytest.raises(OBSSDKRequestError) as off:
            client.set_current_preview_scene("Blue")
        assert off.value.code == 506
        with pytest.raises(OBSSDKRequestError) as off:
            client.trigger_studio_mode_transition()
        assert off.value.code == 506
        client.set_current_program_scene("Red")
        events.wait("CurrentProgramSceneChanged", scene_name="Red")
        client.set_studio_mode_enabled(True)
        events.wait("StudioModeStateChanged", studio_mode_enabled=True)
        assert client.get_studio_mode_enabled().studio_mode_enabled is True
        # The preview starts as the program scene, as in OBS.
        assert client.get_current_preview_scene().scene_name == "Red"

        client.set_current_preview_scene("Blue")
        events.wait("CurrentPreviewSceneChanged", scene_name="Blue")
        assert client.get_current_preview_scene().scene_name == "Blue"
        assert client.get_scene_list().current_preview_scene_name == "Blue"
        assert _layer(live, "bg")["content"]["color"] == "#FF0000FF"  # nothing taken yet

        client.trigger_studio_mode_transition()
        assert _layer(live, "bg")["content"]["color"] == "#0000FFFF"  # the cue is on air
        events.wait("CurrentProgramSceneChanged", scene_name="Blue")
        events.wait("CurrentPreviewSceneChanged", scene_name="Red")  # swapped
        assert client.get_current_preview_scene().scene_name == "Red"
        client.trigger_studio_mode_transition()  # and back: Red on air, Blue in preview
        assert _layer(live, "bg")["content"]["color"] == "#FF0000FF"
        assert client.get_current_preview_scene().scene_name == "Blue"
        assert client.get_current_program_scene().scene_name == "Red"
        client.trigger_studio_mode_transition()
        taken = live.call(live.app.state.control.store.journal(0))[-1]
        assert taken.meta["cue_name"] == "Blue" and taken.meta["source"] == "controller"

        transitions = client.get_scene_transition_list()
        assert [t["transitionName"] for t in transitions.transitions] == ["Cue"]
        assert client.get_current_scene_transition().transition_name == "Cue"
        with pytest.raises(OBSSDKRequestError) as missing:
            client.set_current_preview_scene("No such cue")
        assert missing.value.code == 600
        client.set_studio_mode_enabled(False)
        events.wait("StudioModeStateChanged", studio_mode_enabled=False)
        assert client.get_scene_list().current_preview_scene_name is None
        with pytest.raises(OBSSDKRequestError) as off:
            client.get_current_preview_scene()
        assert off.value.code == 506


def test_mute_buttons_and_volume_faders_set_a_layers_sound(live: ObsLive) -> None:
    assert live.http("POST", "/api/v1/inputs", {"id": "cam",
                                                "url": "udp://127.0.0.1:5000"})[0] == 201
    assert live.http("POST", "/api/v1/layers", {"id": "guest", "name": "Guest",
                                                "kind": "video",
                                                "content": {"input": "cam"}})[0] == 201
    with PyObs(live.obs_port, PASSWORD, ALL_AND_TRANSFORMS) as both:
        client, events = both.client, both.events
        assert client.get_input_mute("Guest").input_muted is False
        client.set_input_mute("Guest", True)
        assert _layer(live, "guest")["content"]["muted"] is True
        events.wait("InputMuteStateChanged", input_name="Guest", input_muted=True)
        assert client.toggle_input_mute("Guest").input_muted is False
        assert _layer(live, "guest")["content"]["muted"] is False

        volume = client.get_input_volume("Guest")
        assert (volume.input_volume_mul, volume.input_volume_db) == (1.0, 0.0)
        client.set_input_volume("Guest", vol_db=-6.0)
        assert _layer(live, "guest")["content"]["volume"] == pytest.approx(0.501187, abs=1e-6)
        events.wait("InputVolumeChanged", input_name="Guest")
        client.set_input_volume("Guest", vol_mul=0.0)
        assert client.get_input_volume("Guest").input_volume_db == -100.0
        version = live.http("GET", "/api/v1/scene")[1]["version"]
        with pytest.raises(OBSSDKRequestError) as loud:
            client.set_input_volume("Guest", vol_mul=3.0)  # above +6 dB: the layer refuses
        assert loud.value.code == 400 and "content.volume" in str(loud.value)
        with pytest.raises(OBSSDKRequestError) as silent:
            client.get_input_mute("Title")  # a text layer has no sound
        assert silent.value.code == 604
        assert live.http("GET", "/api/v1/scene")[1]["version"] == version  # nothing changed


def test_scene_items_and_inputs_are_the_layers(live: ObsLive) -> None:
    events = Events()
    with obs.EventClient(host="127.0.0.1", port=live.obs_port, password=PASSWORD,
                         subs=ALL_AND_TRANSFORMS, timeout=10) as listener:
        listener.callback.register(events.callbacks())
        client = obs.ReqClient(host="127.0.0.1", port=live.obs_port, password=PASSWORD,
                               timeout=10)
        items = client.get_scene_item_list("Red").scene_items
        assert [item["sourceName"] for item in items] == ["Background", "Title"]
        title_id = client.get_scene_item_id("Red", "Title").scene_item_id
        assert title_id == items[1]["sceneItemId"]

        client.set_scene_item_enabled("Red", title_id, False)
        assert _layer(live, "title")["visible"] is False
        assert client.get_scene_item_enabled("Red", title_id).scene_item_enabled is False
        events.wait("SceneItemEnableStateChanged", scene_item_id=title_id,
                    scene_item_enabled=False)

        client.set_input_settings("Title", {"text": "Hello from OBS"}, True)
        assert _layer(live, "title")["content"]["text"] == "Hello from OBS"
        settings = client.get_input_settings("Title")
        assert settings.input_settings["text"] == "Hello from OBS"
        assert settings.input_kind == "text_ft2_source_v2"
        events.wait("InputSettingsChanged", input_name="Title")

        client.set_scene_item_transform("Red", title_id, {"positionX": 100.0, "rotation": 90.0,
                                                          "alignment": 5})
        transform = _layer(live, "title")["transform"]
        assert (transform["x"], transform["y"], transform["rotation_deg"]) == (100, 20, 90)
        got = client.get_scene_item_transform("Red", title_id).scene_item_transform
        assert (got["positionX"], got["positionY"], got["alignment"]) == (100, 20, 5)
        events.wait("SceneItemTransformChanged", scene_item_id=title_id)

        # A change made over HTTP is heard too.
        assert live.http("PATCH", "/api/v1/layers/title", {"visible": True})[0] == 200
        events.wait("SceneItemEnableStateChanged", scene_item_id=title_id,
                    scene_item_enabled=True)
        inputs = client.get_input_list().inputs
        assert {i["inputName"]: i["inputKind"] for i in inputs} == {
            "Background": "color_source_v3", "Title": "text_ft2_source_v2"}
        with pytest.raises(OBSSDKRequestError) as bad:
            client.set_input_settings("Title", {"size_px": -5}, True)
        assert bad.value.code == 400 and "size_px" in str(bad.value)
        client.disconnect()


def test_the_stream_is_the_program_output(live: ObsLive) -> None:
    events = Events()
    with obs.EventClient(host="127.0.0.1", port=live.obs_port, password=PASSWORD,
                         timeout=10) as listener:
        listener.callback.register(events.callbacks())
        client = obs.ReqClient(host="127.0.0.1", port=live.obs_port, password=PASSWORD,
                               timeout=10)
        client.set_stream_service_settings("rtmp_custom", {"server": "rtmp://127.0.0.1/live",
                                                           "key": "show"})
        client.start_stream()
        assert live.program.url == "rtmp://127.0.0.1/live/show"
        assert client.get_stream_status().output_active is True
        events.wait("StreamStateChanged", output_state="OBS_WEBSOCKET_OUTPUT_STARTED",
                    output_active=True)
        with pytest.raises(OBSSDKRequestError) as running:
            client.start_stream()
        assert running.value.code == 500
        client.stop_stream()
        assert live.program.state == "idle"
        events.wait("StreamStateChanged", output_state="OBS_WEBSOCKET_OUTPUT_STOPPED",
                    output_active=False)
        client.disconnect()


def test_a_wrong_password_fails_to_identify(live: ObsLive) -> None:
    with pytest.raises(OBSSDKError) as failed:
        obs.ReqClient(host="127.0.0.1", port=live.obs_port, password="not it", timeout=10)
    del failed
    # obsws-python drops its socket without closing it when identification fails.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
