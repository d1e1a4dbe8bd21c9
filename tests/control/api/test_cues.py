"""Cues over HTTP on the real app and the embedded store: CRUD, bad input with paths, takes
(one commit, the cue's name in the journal, idempotent by request id) and WebSocket events."""

from __future__ import annotations

from typing import Any

from tests.control.api.helpers import TestClient, color_layer, receive_until

_LOOK: dict[str, Any] = {"name": "Lower third in", "ops": [
    {"op": "add", "layer": color_layer("lt"),
     "animate": {"duration_frames": 10, "easing": "easeOutCubic"}}]}


def test_cue_crud(client: TestClient) -> None:
    created = client.post("/api/v1/cues", json={"id": "lt-in", **_LOOK})
    assert created.status_code == 201, created.text
    cue = created.json()
    assert (cue["id"], cue["name"], cue["if_version"]) == ("lt-in", "Lower third in", None)
    assert cue["ops"] == _LOOK["ops"]
    again = client.post("/api/v1/cues", json={"id": "lt-in", **_LOOK})
    assert again.status_code == 409 and again.json()["error"]["path"] == "id"
    unnamed = client.post("/api/v1/cues", json={"name": "Clear", "ops": []}).json()
    assert unnamed["id"].startswith("cue-")
    listed = client.get("/api/v1/cues").json()["cues"]
    assert [c["name"] for c in listed] == ["Clear", "Lower third in"]
    replaced = client.put("/api/v1/cues/lt-in", json={"name": "LT", "ops": []})
    assert replaced.status_code == 200
    assert replaced.json()["created_unix"] == cue["created_unix"]
    assert client.get("/api/v1/cues/lt-in").json()["name"] == "LT"
    assert client.put("/api/v1/cues/new", json={"name": "N", "ops": []}).status_code == 201
    assert client.delete("/api/v1/cues/lt-in").status_code == 204
    gone = client.get("/api/v1/cues/lt-in")
    assert gone.status_code == 404 and gone.json()["error"]["path"] == "id"
    assert client.delete("/api/v1/cues/lt-in").status_code == 404
    assert client.post("/api/v1/cues/lt-in/take").status_code == 404


def test_bad_cues_are_422_with_the_path_and_store_nothing(client: TestClient) -> None:
    cases: list[tuple[Any, str]] = [
        ({"ops": []}, "name"),
        ({"name": "", "ops": []}, "name"),
        ({"name": "x" * 201, "ops": []}, "name"),
        ({"name": "x"}, "ops"),
        ({"name": "x", "ops": [{"op": "add", "layer": {"kind": "color"}}]},
         "ops[0].layer.content"),
        ({"name": "x", "ops": [], "extra": 1}, "extra"),
        ({"name": "x", "ops": [], "id": "bad id"}, "id"),
        ({"name": "x", "ops": [], "if_version": -1}, "if_version"),
        ([], ""),
    ]
    for body, path in cases:
        response = client.post("/api/v1/cues", json=body)
        assert response.status_code == 422, (body, response.text)
        assert (response.json()["error"]["path"] or "") == path, (body, response.json())
    mismatch = client.put("/api/v1/cues/a", json={"id": "b", "name": "x", "ops": []})
    assert mismatch.status_code == 422 and mismatch.json()["error"]["path"] == "id"
    assert client.get("/api/v1/cues").json()["cues"] == []


def _journal_meta(client: TestClient, version: int) -> dict[str, Any]:
    app: Any = client.app
    store = app.state.control.store
    records = client.portal.call(store.journal, version - 1, 1)  # type: ignore[union-attr]
    assert records and records[0].version == version
    meta: dict[str, Any] = records[0].meta
    return meta


def test_take_is_one_commit_named_in_the_journal_and_once_per_request_id(
        client: TestClient) -> None:
    client.post("/api/v1/cues", json={"id": "lt-in", **_LOOK})
    with client.websocket_connect("/api/v1/ws") as ws:
        ws.receive_json()
        first = client.post("/api/v1/cues/lt-in/take", json={"request_id": "deck-1"})
        assert first.status_code == 200, first.text
        version = first.json()["version"]
        changed = receive_until(ws, "scene.changed")
        assert changed["version"] == version and changed["ops"][0]["layer"]["id"] == "lt"
        taken = receive_until(ws, "cue.taken")
        assert taken == {"type": "cue.taken", "cue": "lt-in", "version": version}
    repeat = client.post("/api/v1/cues/lt-in/take", json={"request_id": "deck-1"})
    assert repeat.status_code == 200 and repeat.json() == {"version": version}
    assert client.get("/api/v1/scene").json()["version"] == version  # taken once
    meta = _journal_meta(client, version)
    assert (meta["source"], meta["cue"], meta["cue_name"]) == ("cue", "lt-in", "Lower third in")
    # Without a request id a take takes again: the layer exists now, so it is refused (409).
    again = client.post("/api/v1/cues/lt-in/take")
    assert again.status_code == 409 and again.json()["error"]["path"] == "ops[0].layer.id"
    assert client.get("/api/v1/scene").json()["version"] == version
    # A failed take does not use the request id up.
    client.delete("/api/v1/layers/lt")
    retry = client.post("/api/v1/cues/lt-in/take", json={"request_id": "deck-2"})
    assert retry.status_code == 200 and retry.json()["version"] == version + 2


def test_take_body_errors(client: TestClient) -> None:
    client.post("/api/v1/cues", json={"id": "c", "name": "C", "ops": []})
    cases: list[tuple[Any, str]] = [
        ({"request_id": "has space"}, "request_id"),
        ({"at": {"frame": "soon"}}, "at.frame"),
        ({"at": {"in_frames": 60 * 60 * 60}}, "at"),
        ({"when": 1}, "when"),
        ([], ""),
    ]
    for body, path in cases:
        response = client.post("/api/v1/cues/c/take", json=body)
        assert response.status_code == 422, (body, response.text)
        assert (response.json()["error"]["path"] or "") == path, body
    assert client.get("/api/v1/scene").json()["version"] == 0


def test_cue_if_version_makes_a_stale_take_409(client: TestClient) -> None:
    client.post("/api/v1/cues", json={"id": "c", "name": "C", "ops": [], "if_version": 0})
    assert client.post("/api/v1/cues/c/take").json() == {"version": 1}
    stale = client.post("/api/v1/cues/c/take")
    assert stale.status_code == 409 and stale.json()["version"] == 1


def test_cue_events_reach_websocket_clients(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        ws.receive_json()
        client.post("/api/v1/cues", json={"id": "c", "name": "C", "ops": []})
        assert receive_until(ws, "cue.changed")["cue"]["id"] == "c"
        client.delete("/api/v1/cues/c")
        assert receive_until(ws, "cue.removed") == {"type": "cue.removed", "id": "c"}
