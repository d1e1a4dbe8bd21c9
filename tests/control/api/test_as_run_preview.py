"""The as-run log and preview requests over HTTP on the real app (no renderer here: the
as-run entries are not on air yet, and previews come from the test's program)."""

from __future__ import annotations

import csv
import io
from typing import Any

from control.program import NullProgram
from tests.control.api.conftest import ClientFactory
from tests.control.api.helpers import TestClient, color_layer


def test_as_run_lists_commits_with_source_cue_and_layers(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("a"))
    client.post("/api/v1/commits", json={"ops": [
        {"op": "update", "id": "a", "patch": {"opacity": 0.5}},
        {"op": "add", "layer": color_layer("b")}]})
    client.post("/api/v1/cues", json={"id": "out", "name": "All out", "ops": [
        {"op": "remove", "id": "a"}, {"op": "remove", "id": "b"}]})
    client.post("/api/v1/cues/out/take")
    entries = client.get("/api/v1/as-run").json()["entries"]
    assert [(e["version"], e["source"], e["layers"], e.get("cue")) for e in entries] == [
        (1, "http", ["a"], None), (2, "http", ["a", "b"], None), (3, "cue", ["a", "b"], "out")]
    assert entries[2]["cue_name"] == "All out" and not entries[2]["on_air"]
    frames = [e["frame"] for e in entries]
    assert frames == sorted(frames) and entries[0]["utc"].endswith("Z")
    last = client.get(f"/api/v1/as-run?from=frame:{frames[2]}").json()["entries"]
    assert [e["version"] for e in last] == [v for v, f in zip((1, 2, 3), frames)
                                            if f >= frames[2]]
    assert client.get(f"/api/v1/as-run?to=frame:{frames[0] - 1}").json()["entries"] == []
    text = client.get("/api/v1/as-run", headers={"Accept": "text/csv"})
    assert text.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text.text)))
    assert [(r["version"], r["source"], r["layers"], r["cue"]) for r in rows] == [
        ("1", "http", "a", ""), ("2", "http", "a b", ""), ("3", "cue", "a b", "out")]
    assert client.get("/api/v1/as-run?format=csv").text == text.text


def test_as_run_bounds_are_checked(client: TestClient) -> None:
    for query, path in (("from=yesterday", "from"), ("to=2026-12-02T10:00:00", "to"),
                        ("from=frame:-1", "from"), ("format=xml", "format"), ("since=1", "since")):
        response = client.get(f"/api/v1/as-run?{query}")
        assert response.status_code == 422, query
        assert response.json()["error"]["path"] == path, query
    ok = client.get("/api/v1/as-run?from=2026-12-02T10:00:00Z&to=2030-01-01T00:00:00%2B01:00")
    assert ok.status_code == 200


def test_preview_bodies_are_checked_and_commit_nothing(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("a"))
    client.post("/api/v1/cues", json={"id": "c", "name": "C", "ops": []})
    good: list[dict[str, Any]] = [
        {"ops": [{"op": "update", "id": "a", "patch": {"opacity": 0.5}}], "frame_offset": 3},
        {"cue": "c", "width": 64}]
    for body in good:
        response = client.post("/api/v1/preview", json=body)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/jpeg"
    assert client.get("/api/v1/cues/c/preview.jpg?frame_offset=10&width=32").status_code == 200
    bad: list[tuple[Any, int, str]] = [
        ({"ops": [{"op": "remove", "id": "ghost"}]}, 404, "ops[0].id"),
        ({"cue": "ghost"}, 404, "id"),
        ({"cue": "c", "ops": []}, 422, "ops"),
        ({"ops": [], "frame_offset": -1}, 422, "frame_offset"),
        ({"ops": [], "width": 8}, 422, "width"),
        ({"ops": [], "if_version": 0}, 409, "if_version"),
        ([], 422, ""),
    ]
    for body, status, path in bad:
        response = client.post("/api/v1/preview", json=body)
        assert response.status_code == status, (body, response.text)
        assert (response.json()["error"]["path"] or "") == path, (body, response.json())
    assert client.get("/api/v1/cues/c/preview.jpg?width=0").status_code == 422
    assert client.get("/api/v1/scene").json()["version"] == 1  # nothing committed


def test_a_no_render_replica_answers_503_to_previews(make_client: ClientFactory) -> None:
    client = make_client(program=NullProgram())
    client.post("/api/v1/cues", json={"id": "c", "name": "C", "ops": []})
    for response in (client.post("/api/v1/preview", json={"cue": "c"}),
                     client.post("/api/v1/preview", json={"ops": []}),
                     client.get("/api/v1/cues/c/preview.jpg")):
        assert response.status_code == 503, response.text
        assert "--no-render" in response.json()["error"]["message"]
