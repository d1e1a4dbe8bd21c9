"""Layers over HTTP through the real app and the embedded store."""

from __future__ import annotations

import re

from tests.control.api.helpers import TestClient, color_layer


def test_create_with_id_returns_201_location_and_etag(client: TestClient) -> None:
    response = client.post("/api/v1/layers", json=color_layer("box"))
    assert response.status_code == 201
    assert response.headers["location"] == "/api/v1/layers/box"
    assert response.headers["etag"] == '"1"'
    body = response.json()
    assert body["id"] == "box"
    assert body["content"] == {"color": "#FF0000FF"}
    assert body["transform"]["width"] == 50
    assert body["opacity"] == 1.0 and body["blend"] == "normal" and body["z"] == 0


def test_create_without_id_assigns_one(client: TestClient) -> None:
    response = client.post("/api/v1/layers", json=color_layer(None))
    assert response.status_code == 201
    layer_id = response.json()["id"]
    assert re.fullmatch(r"layer-[A-Za-z0-9_-]{8}", layer_id)
    assert client.get(f"/api/v1/layers/{layer_id}").status_code == 200


def test_list_is_in_creation_order_with_z(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("top", z=5))
    client.post("/api/v1/layers", json=color_layer("bottom", z=-1))
    response = client.get("/api/v1/layers")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    assert [(layer["id"], layer["z"]) for layer in body["layers"]] == [("top", 5), ("bottom", -1)]
    assert response.headers["etag"] == '"2"'


def test_get_layer_and_404(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("box"))
    response = client.get("/api/v1/layers/box")
    assert response.status_code == 200 and response.json()["id"] == "box"
    assert response.headers["etag"] == '"1"'
    missing = client.get("/api/v1/layers/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_patch_is_a_json_merge_patch(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("box", name="Box"))
    response = client.patch(
        "/api/v1/layers/box", json={"transform": {"x": 99}, "name": None, "opacity": 0.5},
        headers={"Content-Type": "application/merge-patch+json"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["transform"]["x"] == 99
    assert body["transform"]["y"] == 10  # untouched members stay
    assert body["transform"]["width"] == 50
    assert body["name"] is None  # null removes: back to the default
    assert body["opacity"] == 0.5
    assert response.headers["etag"] == '"2"'


def test_patch_errors_have_paths_relative_to_the_body(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("box"))
    bad = client.patch("/api/v1/layers/box", json={"transform": {"anchor_x": 3}})
    assert bad.status_code == 422
    assert bad.json()["error"] == {"code": "validation_error", "path": "transform.anchor_x",
                                   "message": "must be between 0 and 1"}
    unknown = client.patch("/api/v1/layers/box", json={"wobble": 1})
    assert unknown.status_code == 422 and unknown.json()["error"]["path"] == "wobble"
    assert client.patch("/api/v1/layers/box", json={"id": "other"}).status_code == 422
    assert client.patch("/api/v1/layers/nope", json={"opacity": 1}).status_code == 404
    assert client.patch("/api/v1/layers/box", json=[1, 2]).status_code == 422
    assert client.get("/api/v1/scene").json()["version"] == 1  # nothing applied


def test_delete_then_404(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("box"))
    response = client.delete("/api/v1/layers/box")
    assert response.status_code == 204
    assert response.headers["etag"] == '"2"'
    assert client.get("/api/v1/layers/box").status_code == 404
    assert client.delete("/api/v1/layers/box").status_code == 404


def test_duplicate_id_is_409(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("box"))
    response = client.post("/api/v1/layers", json=color_layer("box"))
    assert response.status_code == 409
    assert response.json()["error"]["path"] == "id"


def test_if_match_stale_is_412_with_current_version(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("box"))
    stale = client.patch("/api/v1/layers/box", json={"opacity": 0.1}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    assert stale.json()["version"] == 1
    assert stale.json()["error"]["code"] == "precondition_failed"
    fresh = client.patch("/api/v1/layers/box", json={"opacity": 0.1}, headers={"If-Match": '"1"'})
    assert fresh.status_code == 200
    assert client.delete("/api/v1/layers/box", headers={"If-Match": '"1"'}).status_code == 412
    assert client.post("/api/v1/layers", json=color_layer("b2"),
                       headers={"If-Match": '"1"'}).status_code == 412
    assert client.delete("/api/v1/layers/box", headers={"If-Match": "*"}).status_code == 204
    bad = client.patch("/api/v1/layers/box", json={}, headers={"If-Match": "yesterday"})
    assert bad.status_code == 400 and bad.json()["error"]["path"] == "If-Match"


def test_max_layers_is_enforced(make_client) -> None:
    from control.service.settings import Settings

    client = make_client(settings=Settings(max_layers=2))
    assert client.post("/api/v1/layers", json=color_layer("a")).status_code == 201
    assert client.post("/api/v1/layers", json=color_layer("b")).status_code == 201
    response = client.post("/api/v1/layers", json=color_layer("c"))
    assert response.status_code == 422
    assert "more than 2 layers" in response.json()["error"]["message"]


def test_unknown_assets_and_fonts_are_refused_with_a_path(client: TestClient) -> None:
    image = client.post("/api/v1/layers", json={"kind": "image", "content": {"asset": "a" * 64}})
    assert image.status_code == 422
    assert image.json()["error"]["path"] == "content.asset"
    text = client.post("/api/v1/layers",
                       json={"kind": "text", "content": {"text": "hi", "font": "comic"}})
    assert text.status_code == 422 and text.json()["error"]["path"] == "content.font"
    ok = client.post("/api/v1/layers",
                     json={"id": "t", "kind": "text", "content": {"text": "hi", "font": "mono"}})
    assert ok.status_code == 201
    patch = client.patch("/api/v1/layers/t", json={"content": {"font": "nope"}})
    assert patch.status_code == 422 and patch.json()["error"]["path"] == "content.font"


def test_a_missing_layer_is_the_same_404_on_every_method(client: TestClient) -> None:
    for method, body in (("GET", None), ("PATCH", {"opacity": 1}), ("DELETE", None)):
        response = client.request(method, "/api/v1/layers/nope", json=body)
        assert response.status_code == 404, method
        assert response.json()["error"] == {
            "code": "not_found", "message": "no layer with id 'nope'", "path": "layer_id"}
