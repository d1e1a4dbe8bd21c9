"""GET /scene and POST /commits: versions, ETags, all-or-nothing, if_version."""

from __future__ import annotations

from tests.control.api.helpers import TestClient, color_layer


def test_scene_has_etag_and_if_none_match(client: TestClient) -> None:
    response = client.get("/api/v1/scene")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 0 and body["width"] == 320 and body["layers"] == []
    assert response.headers["etag"] == '"0"'
    assert client.get("/api/v1/scene", headers={"If-None-Match": '"0"'}).status_code == 304


def test_commit_applies_every_op_and_returns_the_version(client: TestClient) -> None:
    ops = [
        {"op": "add", "layer": color_layer("a")},
        {"op": "add", "layer": color_layer("b")},
        {"op": "update", "id": "a", "patch": {"opacity": 0.25}},
        {"op": "remove", "id": "b"},
    ]
    response = client.post("/api/v1/commits", json={"ops": ops})
    assert response.status_code == 200, response.text
    assert response.json() == {"version": 1}
    assert response.headers["etag"] == '"1"'
    scene = client.get("/api/v1/scene").json()
    assert [layer["id"] for layer in scene["layers"]] == ["a"]
    assert scene["layers"][0]["opacity"] == 0.25


def test_commit_is_all_or_nothing(client: TestClient) -> None:
    ops = [{"op": "add", "layer": color_layer("a")},
           {"op": "update", "id": "a", "patch": {"opacity": 7}}]
    response = client.post("/api/v1/commits", json={"ops": ops})
    assert response.status_code == 422
    assert response.json()["error"]["path"] == "ops[1].patch.opacity"
    scene = client.get("/api/v1/scene").json()
    assert (scene["version"], scene["layers"]) == (0, [])
    missing = client.post("/api/v1/commits",
                          json={"ops": [{"op": "remove", "id": "ghost"}]})
    assert missing.status_code == 404 and missing.json()["error"]["path"] == "ops[0].id"


def test_stale_if_version_is_409_with_current_version(client: TestClient) -> None:
    client.post("/api/v1/commits", json={"ops": [{"op": "add", "layer": color_layer("a")}]})
    stale = client.post("/api/v1/commits", json={"if_version": 0, "ops": []})
    assert stale.status_code == 409
    assert stale.json()["version"] == 1
    assert stale.json()["error"]["code"] == "conflict"
    fresh = client.post("/api/v1/commits", json={"if_version": 1, "ops": []})
    assert fresh.status_code == 200 and fresh.json() == {"version": 2}
    header = client.post("/api/v1/commits", json={"ops": []}, headers={"If-Match": '"1"'})
    assert header.status_code == 412 and header.json()["version"] == 2
    both = client.post("/api/v1/commits", json={"if_version": 2, "ops": []},
                       headers={"If-Match": '"1"'})
    assert both.status_code == 400


def test_commit_body_errors(client: TestClient) -> None:
    cases = [
        ({"ops": "nope"}, 422, "ops"),
        ({}, 422, "ops"),
        ({"ops": [], "extra": 1}, 422, "extra"),
        ({"ops": [], "if_version": "1"}, 422, "if_version"),
        ({"ops": [{"op": "explode"}]}, 422, "ops[0].op"),
        ([], 422, ""),
    ]
    for body, status, path in cases:
        response = client.post("/api/v1/commits", json=body)
        assert response.status_code == status, (body, response.text)
        assert (response.json()["error"]["path"] or "") == path, body
