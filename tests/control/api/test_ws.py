"""The WebSocket hub through the real app: hello, resume, ordering, requests, pings."""

from __future__ import annotations

from tests.control.api.helpers import TestClient, color_layer, receive_until


def test_hello_has_the_scene(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("a"))
    with client.websocket_connect("/api/v1/ws") as ws:
        hello = ws.receive_json()
    assert hello["type"] == "hello" and hello["version"] == 1
    assert [layer["id"] for layer in hello["scene"]["layers"]] == ["a"]


def test_changes_from_http_arrive_in_version_order(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as first, \
            client.websocket_connect("/api/v1/ws") as second:
        assert first.receive_json()["version"] == 0
        assert second.receive_json()["version"] == 0
        client.post("/api/v1/layers", json=color_layer("a"))
        for i in range(20):
            client.patch("/api/v1/layers/a", json={"opacity": i / 20})
        client.delete("/api/v1/layers/a")
        for ws in (first, second):
            messages = [ws.receive_json() for _ in range(22)]
            assert [m["type"] for m in messages] == ["scene.changed"] * 22
            assert [m["version"] for m in messages] == list(range(1, 23))
            assert messages[0]["ops"][0]["op"] == "add"
            assert messages[0]["ops"][0]["layer"]["id"] == "a"
            assert messages[5]["ops"] == [{"op": "update", "id": "a", "patch": {"opacity": 0.2}}]
            assert messages[-1]["ops"] == [{"op": "remove", "id": "a"}]


def test_commit_and_ping_requests_get_results_with_ids(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws, \
            client.websocket_connect("/api/v1/ws") as watcher:
        ws.receive_json(), watcher.receive_json()
        ws.send_json({"type": "ping", "id": "p1"})
        pong = receive_until(ws, "result")
        assert pong == {"type": "result", "id": "p1", "ok": True, "version": 0}
        ws.send_json({"type": "commit", "id": "r1", "ops": [{"op": "add",
                                                              "layer": color_layer("a")}]})
        result = receive_until(ws, "result")
        assert result == {"type": "result", "id": "r1", "ok": True, "version": 1}
        changed = receive_until(watcher, "scene.changed")
        assert changed["version"] == 1
        ws.send_json({"type": "commit", "id": "r2", "if_version": 0, "ops": []})
        stale = receive_until(ws, "result")
        assert stale["ok"] is False and stale["id"] == "r2"
        assert stale["error"]["code"] == "conflict" and stale["version"] == 1
        ws.send_json({"type": "commit", "id": 7, "ops": [{"op": "update", "id": "a",
                                                           "patch": {"blend": "melt"}}]})
        invalid = receive_until(ws, "result")
        assert invalid["id"] == 7 and invalid["error"]["path"] == "ops[0].patch.blend"
        ws.send_text("{not json")
        assert receive_until(ws, "result")["error"]["code"] == "bad_request"
        ws.send_json({"type": "dance", "id": "d"})
        assert receive_until(ws, "result")["error"]["path"] == "type"
        ws.send_json([1, 2])
        assert receive_until(ws, "result")["ok"] is False
        ws.send_bytes(b"\x00")
        assert receive_until(ws, "result")["ok"] is False
        ws.send_json({"type": "ping", "id": "still-open"})
        assert receive_until(ws, "result")["id"] == "still-open"
    assert client.get("/api/v1/scene").json()["version"] == 1


def test_resume_with_since_sends_only_the_missed_changes(client: TestClient) -> None:
    for i in range(5):
        client.post("/api/v1/layers", json=color_layer(f"l{i}"))
    with client.websocket_connect("/api/v1/ws?since=2") as ws:
        resumed = ws.receive_json()
        assert resumed == {"type": "resumed", "since": 2, "version": 5}
        missed = [ws.receive_json() for _ in range(3)]
        assert [m["version"] for m in missed] == [3, 4, 5]
        assert missed[0]["ops"][0]["layer"]["id"] == "l2"
        client.post("/api/v1/layers", json=color_layer("live"))
        assert ws.receive_json()["version"] == 6
    with client.websocket_connect("/api/v1/ws?since=6") as ws:
        assert ws.receive_json() == {"type": "resumed", "since": 6, "version": 6}
        ws.send_json({"type": "ping", "id": 1})
        assert ws.receive_json()["type"] == "result"


def test_resume_beyond_the_journal_or_ahead_gets_hello(make_client) -> None:
    from control.store.embedded import EmbeddedStore

    client = make_client(store=EmbeddedStore(None, journal_max=2))
    for i in range(5):
        client.post("/api/v1/layers", json=color_layer(f"l{i}"))
    for since in ("0", "99", "junk"):
        with client.websocket_connect(f"/api/v1/ws?since={since}") as ws:
            hello = ws.receive_json()
            assert hello["type"] == "hello" and hello["version"] == 5, since
            assert len(hello["scene"]["layers"]) == 5


def test_resume_after_a_long_absence_gets_the_whole_scene_and_stays_open(
        make_client) -> None:
    # 300 missed commits used to be sent one by one into a 256-message queue: the client was
    # closed as a slow consumer the moment it came back.
    client = make_client()
    client.post("/api/v1/layers", json=color_layer("a"))
    for i in range(300):
        client.patch("/api/v1/layers/a", json={"opacity": (i % 100) / 100})
    with client.websocket_connect("/api/v1/ws?since=1") as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["version"] == 301
        client.patch("/api/v1/layers/a", json={"opacity": 1})
        assert ws.receive_json()["version"] == 302  # still connected, following live
    assert "compositor_ws_slow_disconnects_total 0.0" in client.get("/metrics").text


def test_clients_gauge_follows_connections(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws") as ws:
        ws.receive_json()
        assert "compositor_ws_clients 1.0" in client.get("/metrics").text
    text = ""
    for _ in range(200):
        text = client.get("/metrics").text
        if "compositor_ws_clients 0.0" in text:
            break
    assert "compositor_ws_clients 0.0" in text


def test_ws_and_http_refuse_the_same_commit_requests_alike(client: TestClient) -> None:
    bad = [{"ops": [], "if_version": 2**53}, {}, {"ops": [], "extra": 1}]
    with client.websocket_connect("/api/v1/ws") as ws:
        ws.receive_json()
        for i, body in enumerate(bad):
            over_http = client.post("/api/v1/commits", json=body)
            ws.send_json({"type": "commit", "id": i, **body})
            result = receive_until(ws, "result")
            assert over_http.status_code == 422
            assert result["ok"] is False and result["error"] == over_http.json()["error"]


def test_the_hello_of_a_scene_is_encoded_once_for_every_client(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("a"))
    hub = client.app.state.control.hub  # type: ignore[attr-defined]
    sockets = [client.websocket_connect("/api/v1/ws") for _ in range(3)]
    hellos = [ws.__enter__().receive_json() for ws in sockets]
    assert all(hello == hellos[0] for hello in hellos) and hellos[0]["version"] == 1
    assert hub.hello_encodings == 1  # the one encoding, shared by the three
    for ws in sockets:
        ws.__exit__(None, None, None)
