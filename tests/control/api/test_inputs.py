"""``/api/v1/inputs`` (CONTRACT v1.1): definitions kept in the store, statuses with every
contract field and URLs redacted, 422 with the path of a bad field, 409 for a duplicate id and
for deleting an input a layer shows. Here no reader runs (the app alone): statuses are
``connecting`` and say so; ``tests/control/service/test_inputs_service.py`` reads for real."""

from __future__ import annotations

import pytest

from control.inputs import NOT_READ_HERE
from control.routes.inputs import MAX_INPUTS
from tests.control.api.helpers import TestClient

API = "/api/v1"
CONTRACT_FIELDS = {"id", "url", "state", "width", "height", "fps", "video_codec", "has_audio",
                   "media_age_ms", "frames", "late", "reconnects", "last_error"}


def test_create_read_list_delete(client: TestClient) -> None:
    created = client.post(f"{API}/inputs", json={
        "id": "cam", "url": "rtmp://user:pw@ingest.local/live/SECRET-KEY",
        "latency_ms": 100, "loss": {"hold_ms": 800, "then": "black"}})
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/v1/inputs/cam"
    body = created.json()
    assert set(body) >= CONTRACT_FIELDS
    assert body["url"] == "rtmp://ingest.local/live/****"
    assert "SECRET" not in created.text and "pw" not in body["url"]
    assert (body["state"], body["frames"], body["media_age_ms"]) == ("connecting", 0, None)
    assert body["last_error"] == NOT_READ_HERE
    assert body["loss"] == {"hold_ms": 800, "then": "black"} and body["latency_ms"] == 100
    other = client.post(f"{API}/inputs", json={"url": "srt://h:9000?passphrase=xyzxyzxyzxyz"})
    assert other.status_code == 201
    generated = other.json()["id"]
    assert generated.startswith("in-") and other.json()["url"] == "srt://h:9000?****"
    listed = client.get(f"{API}/inputs").json()["inputs"]
    assert [i["id"] for i in listed] == ["cam", generated]
    assert client.get(f"{API}/inputs/cam").json() == body
    assert client.delete(f"{API}/inputs/cam").status_code == 204
    missing = client.get(f"{API}/inputs/cam")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.delete(f"{API}/inputs/cam").status_code == 404


@pytest.mark.parametrize(("body", "path"), [
    ({"url": "file:///etc/passwd"}, "url"),
    ({"url": "ftp://h/x"}, "url"),
    ({"url": "https://h/video.mp4"}, "url"),
    ({"url": "udp://127.0.0.1"}, "url"),
    ({}, "url"),
    ({"url": "rtmp://h/l/k", "latency_ms": 99999}, "latency_ms"),
    ({"url": "rtmp://h/l/k", "loss": {"hold_ms": -5}}, "loss.hold_ms"),
    ({"url": "rtmp://h/l/k", "loss": {"then": "pink"}}, "loss.then"),
    ({"url": "rtmp://h/l/k", "colour": "red"}, "colour"),
    ({"url": "rtmp://h/l/k", "created_unix": 5}, "created_unix"),
    ({"id": "no spaces", "url": "rtmp://h/l/k"}, "id"),
])
def test_bad_fields_are_422_with_their_path(client: TestClient, body: dict[str, object],
                                            path: str) -> None:
    answer = client.post(f"{API}/inputs", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["path"] == path
    assert client.get(f"{API}/inputs").json() == {"inputs": []}  # nothing kept


def test_not_json_and_not_an_object(client: TestClient) -> None:
    assert client.post(f"{API}/inputs", content=b"url=x",
                       headers={"Content-Type": "text/plain"}).status_code == 415
    assert client.post(f"{API}/inputs", json=["rtmp://h/l/k"]).status_code == 422


def test_duplicate_id_and_quota_are_409(client: TestClient) -> None:
    assert client.post(f"{API}/inputs", json={"id": "a", "url": "udp://@:5000"}).status_code \
        == 201
    again = client.post(f"{API}/inputs", json={"id": "a", "url": "udp://@:5001"})
    assert again.status_code == 409 and again.json()["error"]["path"] == "id"
    for number in range(MAX_INPUTS - 1):
        assert client.post(f"{API}/inputs", json={"url": f"udp://@:{6000 + number}"}
                           ).status_code == 201
    full = client.post(f"{API}/inputs", json={"url": "udp://@:7000"})
    assert full.status_code == 409 and full.json()["error"]["code"] == "quota_exceeded"


def test_an_input_a_layer_shows_cannot_be_deleted(client: TestClient) -> None:
    client.post(f"{API}/inputs", json={"id": "cam", "url": "rtmp://h/live/k"})
    layer = {"id": "pip", "kind": "video", "content": {"input": "cam"},
             "transform": {"width": 160, "height": 90}}
    assert client.post(f"{API}/layers", json=layer).status_code == 201
    refused = client.delete(f"{API}/inputs/cam")
    assert refused.status_code == 409
    assert "pip" in refused.json()["error"]["message"]
    assert client.get(f"{API}/inputs/cam").status_code == 200
    assert client.delete(f"{API}/layers/pip").status_code == 204
    assert client.delete(f"{API}/inputs/cam").status_code == 204


def test_a_layer_naming_an_unknown_input_is_422_with_its_path(client: TestClient) -> None:
    layer = {"id": "pip", "kind": "video", "content": {"input": "nobody"}}
    refused = client.post(f"{API}/layers", json=layer)
    assert refused.status_code == 422
    assert refused.json()["error"]["path"] == "content.input"
    assert "no input with id 'nobody'" in refused.json()["error"]["message"]
    client.post(f"{API}/inputs", json={"id": "cam", "url": "rtmp://h/live/k"})
    assert client.post(f"{API}/layers", json={**layer, "content": {"input": "cam"}}
                       ).status_code == 201
    patched = client.post(f"{API}/commits", json={"ops": [
        {"op": "update", "id": "pip", "patch": {"content": {"input": "nobody"}}}]})
    assert patched.status_code == 422
    assert patched.json()["error"]["path"] == "ops[0].patch.content.input"
    assert client.get(f"{API}/layers/pip").json()["content"]["input"] == "cam"


def test_thumbnail_without_a_picture_is_404(client: TestClient) -> None:
    client.post(f"{API}/inputs", json={"id": "cam", "url": "rtmp://h/live/k"})
    assert client.get(f"{API}/inputs/cam/thumbnail.jpg").status_code == 404
    assert client.get(f"{API}/inputs/nope/thumbnail.jpg").status_code == 404
    assert client.get(f"{API}/inputs/cam/thumbnail.jpg?width=5").status_code == 422


def test_documented_in_openapi(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert {"/api/v1/inputs", "/api/v1/inputs/{input_id}",
            "/api/v1/inputs/{input_id}/thumbnail.jpg"} <= set(document["paths"])
    status = document["components"]["schemas"]["InputStatus"]
    assert set(status["required"]) >= CONTRACT_FIELDS
