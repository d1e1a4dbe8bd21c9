"""Landing frames, scheduled commits and on-air receipts through the real app.

The app's house clock is a :class:`ManualClock` (Unix seconds the test sets), so frame numbers are
exact: at 60 fps and t = 1_000_000 s the frame on air is 60_000_000 and an immediate commit lands
on 60_000_001.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from compositor.scene import Op, Scene
from control.errors import CorruptDataError
from control.store.base import CommitRecord, Receipt, ScheduledCommit
from control.store.embedded import EmbeddedStore
from tests.control.api.conftest import ClientFactory
from tests.control.api.helpers import TestClient, color_layer, receive_until
from tests.polling import run_in_thread, wait_for

T0 = 1_000_000.0
NOW = 60_000_000  # the frame on air at T0 (60 fps)


class ManualClock:
    def __init__(self, unix_s: float) -> None:
        self.unix_s = unix_s

    def __call__(self) -> float:
        return self.unix_s




@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def store() -> EmbeddedStore:
    return EmbeddedStore(None)


@pytest.fixture
def api(make_client: ClientFactory, clock: ManualClock, store: EmbeddedStore) -> TestClient:
    client = make_client(store=store, time_source=clock, schedule_lead_s=0.5,
                         scene=Scene(width=320, height=180, fps=Fraction(60)))
    assert client.post("/api/v1/layers", json=color_layer("box")).status_code == 201
    return client


def _version(api: TestClient) -> int:
    return int(api.get("/api/v1/scene").json()["version"])


def test_a_tween_starts_on_the_landing_frame(api: TestClient) -> None:
    response = api.post("/api/v1/commits", json={"ops": [
        {"op": "update", "id": "box", "patch": {"transform": {"x": 200}, "opacity": 0.5},
         "animate": {"duration_frames": 30, "easing": "easeOutCubic"}}]})
    assert response.status_code == 200, response.text
    version = response.json()["version"]
    layer = api.get("/api/v1/scene").json()["layers"][0]
    assert layer["transform"]["x"] == 200 and layer["opacity"] == 0.5
    assert {(t["property"], t["from"], t["to"], t["start_frame"], t["duration_frames"],
             t["easing"]) for t in layer["tweens"]} == {
        ("transform.x", 10, 200, NOW + 1, 30, "easeOutCubic"),
        ("opacity", 1, 0.5, NOW + 1, 30, "easeOutCubic")}
    status = api.get(f"/api/v1/commits/{version}").json()
    assert status == {"version": version, "frame": NOW + 1, "at_frame": None, "applied": None}


def test_on_commit_keyframes_resolve_to_the_landing_frame(api: TestClient) -> None:
    api.patch("/api/v1/layers/box", json={"animations": [{
        "property": "transform.x", "keyframes": [{"frame": 0, "value": 0},
                                                 {"frame": 60, "value": 400}],
        "start": "on_commit"}]})
    (animation,) = api.get("/api/v1/layers/box").json()["animations"]
    assert animation["start"] == NOW + 1


def test_schedule_is_listed_and_cancelled(api: TestClient) -> None:
    response = api.post("/api/v1/commits", json={"at": {"in_frames": 600}, "ops": [
        {"op": "update", "id": "box", "patch": {"opacity": 0.25}}]})
    assert response.status_code == 202, response.text
    scheduled = response.json()["scheduled"]
    assert scheduled["at_frame"] == NOW + 600
    assert scheduled["ops"] == [{"op": "update", "id": "box", "patch": {"opacity": 0.25}}]
    listed = api.get("/api/v1/schedule").json()["entries"]
    assert [e["id"] for e in listed] == [scheduled["id"]]
    assert api.delete(f"/api/v1/schedule/{scheduled['id']}").status_code == 204
    assert api.get("/api/v1/schedule").json() == {"entries": []}
    missing = api.delete(f"/api/v1/schedule/{scheduled['id']}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert api.delete("/api/v1/schedule/nope").status_code == 404
    assert _version(api) == 1  # nothing was committed


def test_a_scheduled_commit_is_committed_a_lead_before_its_frame(
        api: TestClient, clock: ManualClock) -> None:
    at_frame = NOW + 120  # two seconds ahead
    scheduled = api.post("/api/v1/commits", json={"at": {"frame": at_frame}, "ops": [
        {"op": "update", "id": "box", "patch": {"transform": {"x": 50}},
         "animate": {"duration_frames": 10}}]}).json()["scheduled"]
    time.sleep(0.3)  # several scheduler passes: still waiting
    assert _version(api) == 1
    clock.unix_s = T0 + 1.6  # 0.4 s before its frame: inside the 0.5 s lead
    wait_for(lambda: _version(api) == 2, 10, "the scheduler to commit")
    status = api.get("/api/v1/commits/2").json()
    assert status == {"version": 2, "frame": at_frame, "at_frame": at_frame, "applied": None}
    (tween,) = api.get("/api/v1/layers/box").json()["tweens"]
    assert tween["start_frame"] == at_frame
    assert api.get("/api/v1/schedule").json() == {"entries": []}
    late = api.delete(f"/api/v1/schedule/{scheduled['id']}")
    assert late.status_code == 409 and late.json()["error"]["code"] == "conflict"
    # A commit made now is held for the scheduled one: it lands on the same frame, after it.
    api.patch("/api/v1/layers/box", json={"opacity": 0.5})
    assert api.get("/api/v1/commits/3").json()["frame"] == at_frame
    assert api.get("/api/v1/commits/3").json()["at_frame"] == at_frame


def test_a_frame_already_past_is_committed_at_once(api: TestClient) -> None:
    response = api.post("/api/v1/commits", json={"at": {"frame": NOW - 30}, "ops": [
        {"op": "update", "id": "box", "patch": {"opacity": 0.5}}]})
    assert response.status_code == 202
    wait_for(lambda: _version(api) == 2, 10, "the late commit")
    status = api.get("/api/v1/commits/2").json()
    assert status["at_frame"] == NOW - 30 and status["frame"] == NOW + 1


def test_scheduled_ops_are_validated_now_with_paths(api: TestClient) -> None:
    cases = [
        ({"at": {"utc": "tomorrow"}, "ops": []}, 422, "at.utc"),
        ({"at": {"when": 3}, "ops": []}, 422, "at.when"),
        ({"at": {"in_frames": 10}, "ops": [{"op": "update", "id": "nope", "patch": {}}]},
         404, "ops[0].id"),
        ({"at": {"in_frames": 10}, "ops": [
            {"op": "update", "id": "box", "patch": {"opacity": 3}}]}, 422,
         "ops[0].patch.opacity"),
        ({"at": {"in_frames": 10}, "if_version": 0, "ops": []}, 409, None),
    ]
    for body, status, path in cases:
        response = api.post("/api/v1/commits", json=body)
        assert response.status_code == status, (body, response.text)
        if path is not None:
            assert response.json()["error"]["path"] == path
    assert api.get("/api/v1/schedule").json() == {"entries": []}


def test_receipts_reach_websocket_clients_and_get(api: TestClient, store: EmbeddedStore) -> None:
    assert api.get("/api/v1/commits/99").status_code == 404
    assert api.get("/api/v1/commits/abc").status_code == 404
    assert api.get("/api/v1/commits/1").json()["applied"] is None
    with api.websocket_connect("/api/v1/ws") as ws:
        ws.receive_json()  # hello
        # What the render side does when version 1's first frame is encoded:
        run_in_thread(store.put_receipt(Receipt(1, NOW + 3, 42, 2, T0 + 0.1)))
        applied = receive_until(ws, "commit.applied")
    assert applied == {"type": "commit.applied", "version": 1, "frame": NOW + 3, "pts": 42,
                       "late_frames": 2}
    assert api.get("/api/v1/commits/1").json()["applied"] == {
        "frame": NOW + 3, "pts": 42, "late_frames": 2, "encoded_unix": T0 + 0.1}


def test_websocket_commits_can_be_scheduled(api: TestClient) -> None:
    with api.websocket_connect("/api/v1/ws") as ws:
        ws.receive_json()
        ws.send_json({"type": "commit", "id": "s1", "at": {"in_frames": 90},
                      "ops": [{"op": "remove", "id": "box"}]})
        result = receive_until(ws, "result")
        assert result["ok"] is True and result["id"] == "s1"
        assert result["scheduled"]["at_frame"] == NOW + 90
        ws.send_json({"type": "commit", "id": "s2", "at": {"frame": "soon"}, "ops": []})
        bad = receive_until(ws, "result")
        assert bad["ok"] is False and bad["error"]["path"] == "at.frame"
    assert [e["at_frame"] for e in api.get("/api/v1/schedule").json()["entries"]] == [NOW + 90]


class _FailingStore(EmbeddedStore):
    """The embedded store, whose commits by ``poison`` fail in a way the control plane does not
    expect (not a ControlError): what a bug or a broken backend would do."""

    async def commit(self, ops: Sequence[Op], *, author: str | None = None,
                     **kwargs: Any) -> CommitRecord:
        if author == "poison":
            raise RuntimeError("boom")
        return await super().commit(ops, author=author, **kwargs)


def test_one_bad_scheduled_entry_is_dropped_and_the_rest_still_land(
        make_client: ClientFactory, clock: ManualClock) -> None:
    # The scheduler used to die on the first error that was not a ControlError, and then
    # nothing scheduled ever landed, with nothing logged and /readyz still ready.
    store = _FailingStore(None)
    api = make_client(store=store, time_source=clock, schedule_lead_s=0.5,
                      scene=Scene(width=320, height=180, fps=Fraction(60)))
    assert api.post("/api/v1/layers", json=color_layer("box")).status_code == 201
    bad = ScheduledCommit("bad-entry", NOW + 5, (
        {"op": "update", "id": "box", "patch": {"name": "never"}},), T0, author="poison")
    run_in_thread(store.schedule_put(bad))
    good = api.post("/api/v1/commits", json={"at": {"frame": NOW + 6}, "ops": [
        {"op": "update", "id": "box", "patch": {"name": "landed"}}]})
    assert good.status_code == 202, good.text
    wait_for(lambda: api.get("/api/v1/layers/box").json()["name"] == "landed", 10,
             "the good entry to land after the bad one")
    assert 'compositor_background_errors_total{task="scheduler"} 1.0' in api.get("/metrics").text
    assert api.get("/readyz").status_code == 200  # the scheduler is alive
    assert api.get("/api/v1/schedule").json()["entries"] == []


def test_a_schedule_entry_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "data")
    entry = ScheduledCommit("bad", NOW, ({"op": "remove", "id": "\ud800"},), T0)
    with pytest.raises(CorruptDataError):
        asyncio.run(store.schedule_put(entry))
    assert asyncio.run(store.schedule_list()) == []  # not kept in memory either
    assert asyncio.run(store.schedule_take_due(NOW + 100)) == []
