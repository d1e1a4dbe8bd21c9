"""The obs-websocket handshake and message rules, byte for byte as the protocol document says:
Hello with the challenge, Identify with the right and wrong password, close codes for broken
messages, Reidentify, unknown requests (a status, never a dropped connection), batches."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.control.api.helpers import FakeProgram
from tests.control.obsws.live import PASSWORD, ObsLive
from tests.control.obsws.raw import RawClient, auth_string


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObsLive]:
    with ObsLive(tmp_path_factory.mktemp("obsws"), FakeProgram()) as server:
        yield server


def test_hello_carries_the_challenge_and_identify_negotiates_rpc_1(live: ObsLive) -> None:
    client = RawClient(live.obs_url)
    hello = client.hello
    assert hello["op"] == 0
    assert hello["d"]["rpcVersion"] == 1
    assert set(hello["d"]["authentication"]) == {"challenge", "salt"}
    assert client.identify(PASSWORD) == {"op": 2, "d": {"negotiatedRpcVersion": 1}}
    version = client.request("GetVersion")
    assert version["requestStatus"] == {"result": True, "code": 100}
    assert "SetCurrentProgramScene" in version["responseData"]["availableRequests"]
    client.close()


def test_each_session_gets_its_own_challenge(live: ObsLive) -> None:
    a, b = RawClient(live.obs_url), RawClient(live.obs_url)
    auth_a, auth_b = a.hello["d"]["authentication"], b.hello["d"]["authentication"]
    assert auth_a["salt"] == auth_b["salt"]
    assert auth_a["challenge"] != auth_b["challenge"]
    a.close()
    b.close()


@pytest.mark.parametrize("password", ["wrong password", None])
def test_a_wrong_or_missing_password_closes_with_4009(live: ObsLive,
                                                      password: str | None) -> None:
    client = RawClient(live.obs_url)
    client.send(1, {"rpcVersion": 1} if password is None else {
        "rpcVersion": 1, "authentication": "bm90IHRoZSByaWdodCBhbnN3ZXI="})
    assert client.closed_with() == 4009


@pytest.mark.parametrize(("message", "code"), [
    ('{"op": 6, "d": {"requestType": "GetVersion", "requestId": "1"}}', 4007),  # not identified
    ("not json", 4002),
    ('{"op": 42, "d": {}}', 4007),  # before Identify any other op is "not identified"
    ('{"d": {}}', 4006),
    ('{"op": 1}', 4003),
    ('{"op": 1, "d": []}', 4004),
    ('{"request-type": "GetVersion", "message-id": "1"}', 4010),  # an obs-websocket 4 client
])
def test_broken_messages_close_with_their_codes(live: ObsLive, message: str, code: int) -> None:
    client = RawClient(live.obs_url)
    client.ws.send(message)
    assert client.closed_with() == code


def test_binary_frames_close_with_4002(live: ObsLive) -> None:
    client = RawClient(live.obs_url)
    client.ws.send(b'{"op": 1, "d": {"rpcVersion": 1}}')
    assert client.closed_with() == 4002


def test_another_rpc_version_closes_with_4010_and_a_second_identify_with_4008(
        live: ObsLive) -> None:
    client = RawClient(live.obs_url)
    auth = client.hello["d"]["authentication"]
    answer = auth_string(PASSWORD, auth["salt"], auth["challenge"])
    client.send(1, {"rpcVersion": 2, "authentication": answer})
    assert client.closed_with() == 4010
    client = RawClient(live.obs_url)
    assert client.identify(PASSWORD)["op"] == 2
    client.send(1, {"rpcVersion": 1})
    assert client.closed_with() == 4008


def _unpack(frame: str | bytes) -> Any:
    assert isinstance(frame, bytes), "a text frame on obswebsocket.msgpack"
    return msgspec.msgpack.decode(frame)


def test_msgpack_is_spoken_when_it_alone_is_offered(live: ObsLive) -> None:
    with connect(live.obs_url, subprotocols=[Subprotocol("obswebsocket.msgpack")],
                 open_timeout=10) as ws:
        assert ws.subprotocol == "obswebsocket.msgpack"
        hello = _unpack(ws.recv(timeout=10))
        auth = hello["d"]["authentication"]
        ws.send(msgspec.msgpack.encode({"op": 1, "d": {
            "rpcVersion": 1, "authentication": auth_string(PASSWORD, auth["salt"],
                                                           auth["challenge"])}}))
        assert _unpack(ws.recv(timeout=10))["op"] == 2
        ws.send(msgspec.msgpack.encode({"op": 6, "d": {"requestType": "GetVersion",
                                                       "requestId": "v"}}))
        reply = _unpack(ws.recv(timeout=10))
        assert reply["d"]["requestStatus"]["code"] == 100
        ws.send('{"op": 6}')  # a text frame on msgpack
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4002


def test_unknown_and_malformed_requests_get_a_status_and_the_session_goes_on(
        live: ObsLive) -> None:
    client = RawClient(live.obs_url)
    client.identify(PASSWORD)
    unknown = client.request("OpenVideoMixProjector", {"videoMixType": "x"})
    assert unknown["requestType"] == "OpenVideoMixProjector"
    assert unknown["requestStatus"]["code"] == 204
    assert unknown["requestStatus"]["result"] is False
    missing = client.request("GetSceneItemId", {"sceneName": "Program"})
    assert missing["requestStatus"]["code"] == 300
    assert "sourceName" in missing["requestStatus"]["comment"]
    wrong_type = client.request("SetSceneItemEnabled", {"sceneName": "Program",
                                                        "sceneItemId": "one"})
    assert wrong_type["requestStatus"]["code"] == 401
    no_scene = client.request("GetSceneItemList", {"sceneName": "No such cue"})
    assert no_scene["requestStatus"]["code"] == 600
    sleep = client.request("Sleep", {"sleepMillis": 1})
    assert sleep["requestStatus"]["code"] == 206
    assert client.request("GetVersion")["requestStatus"]["result"] is True
    client.close()


def test_the_small_requests_controllers_ask_at_connect(live: ObsLive) -> None:
    client = RawClient(live.obs_url)
    client.identify(PASSWORD)
    video = client.request("GetVideoSettings")["responseData"]
    assert (video["baseWidth"], video["baseHeight"], video["fpsNumerator"],
            video["fpsDenominator"]) == (320, 180, 60, 1)
    assert client.request("GetStudioModeEnabled")["responseData"] == {
        "studioModeEnabled": False}
    assert client.request("GetCurrentPreviewScene")["requestStatus"]["code"] == 506
    assert client.request("GetSourceActive", {"sourceName": "nothing"})[
        "requestStatus"]["code"] == 600
    stats = client.request("GetStats")["responseData"]
    assert stats["webSocketSessionIncomingMessages"] == 6  # Identify and five requests
    assert stats["memoryUsage"] > 0 and stats["availableDiskSpace"] > 0
    assert client.request("NoSuchRequest")["requestStatus"]["code"] == 204
    client.close()
    refused = RawClient(live.obs_url)
    refused.send(1, {"rpcVersion": 1})  # no answer to the challenge
    assert refused.closed_with() == 4009
    metrics = urllib.request.urlopen(live.url + "/metrics", timeout=10).read().decode()
    assert 'compositor_obsws_requests_total{code="506",request="GetCurrentPreviewScene"}' \
        in metrics
    assert 'compositor_obsws_closes_total{code="4009"}' in metrics
    assert 'request="unknown"' in metrics  # "NoSuchRequest" and friends share one label


def test_a_batch_runs_in_order_and_halts_on_failure_when_asked(live: ObsLive) -> None:
    client = RawClient(live.obs_url)
    client.identify(PASSWORD)
    requests = [{"requestType": "GetVersion", "requestId": "a"},
                {"requestType": "Sleep", "requestData": {"sleepMillis": 10}},
                {"requestType": "NoSuchRequest"},
                {"requestType": "GetStats"}]
    client.send(8, {"requestId": "batch-1", "requests": requests})
    reply = client.recv()
    assert reply["op"] == 9 and reply["d"]["requestId"] == "batch-1"
    assert [r["requestStatus"]["code"] for r in reply["d"]["results"]] == [100, 100, 204, 100]
    assert reply["d"]["results"][0]["requestId"] == "a"
    client.send(8, {"requestId": "batch-2", "haltOnFailure": True, "requests": requests})
    reply = client.recv()
    assert [r["requestStatus"]["code"] for r in reply["d"]["results"]] == [100, 100, 204]
    client.send(8, {"requestId": "batch-3", "executionType": 7, "requests": []})
    assert client.closed_with() == 4005
