"""Output control, preview, health, readiness and metrics."""

from __future__ import annotations

import io

from PIL import Image

from control.program import NullProgram
from control.store.base import Rollback
from control.store.embedded import EmbeddedStore
from tests.control.api.helpers import TestClient, color_layer
from tests.polling import wait_for


def test_output_start_stop(client: TestClient) -> None:
    assert client.get("/api/v1/output").json()["state"] == "idle"
    started = client.post("/api/v1/output/start", json={"url": "rtmp://h/live/secretkey"})
    assert started.status_code == 200
    assert started.json()["state"] == "live"
    assert "secretkey" not in started.text
    again = client.post("/api/v1/output/start", json={"url": "rtmp://h/live/k"})
    assert again.status_code == 409
    assert client.post("/api/v1/output/stop").json()["state"] == "idle"
    configured = client.post("/api/v1/output/start")  # no body: the configured URL
    assert configured.status_code == 200 and configured.json()["state"] == "live"


def test_output_start_bad_urls(client: TestClient) -> None:
    for body in ({"url": "file:///etc/passwd"}, {"url": 5}, {"url": "rtmp://a b"},
                 {"other": 1}, [1]):
        response = client.post("/api/v1/output/start", json=body)
        assert response.status_code == 422, body
    assert client.post("/api/v1/output/start", content=b"{",
                       headers={"Content-Type": "application/json"}).status_code == 400


def test_preview_jpeg_with_width(client: TestClient) -> None:
    response = client.get("/api/v1/preview.jpg?width=160")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (160, 90)
    assert client.get("/api/v1/preview.jpg?width=abc").status_code == 422
    assert client.get("/api/v1/preview.jpg?width=5").status_code == 422


def test_null_program_is_idle_and_unavailable(make_client) -> None:
    client = make_client(program=NullProgram())
    assert client.get("/api/v1/output").json()["state"] == "idle"
    preview = client.get("/api/v1/preview.jpg")
    assert preview.status_code == 503 and "control-only" in preview.json()["error"]["message"]
    assert client.post("/api/v1/output/start", json={"url": "rtmp://h/a/k"}).status_code == 503
    assert client.post("/api/v1/output/stop").status_code == 503


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["version"] == 0


def test_metrics_count_commits_and_track_the_scene(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("a"))
    client.post("/api/v1/layers", json=color_layer("a"))  # conflict
    assert client.get("/api/v1/scene").status_code == 200
    text = client.get("/metrics").text
    assert 'compositor_commits_total{result="ok",source="http"} 1.0' in text
    assert 'compositor_commits_total{result="invalid",source="http"} 1.0' in text
    assert "compositor_commit_seconds_count" in text
    assert 'compositor_store_operation_seconds_count{operation="commit"}' in text
    assert 'compositor_store_connected{backend="embedded"} 1.0' in text
    assert "compositor_commit_to_air_seconds_bucket" in text
    assert "compositor_ws_clients 0.0" in text


def test_unknown_route_and_method_use_the_error_body(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = client.put("/api/v1/scene", json={})
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces"
    assert len(made.headers["x-request-id"]) == 16


class _RolledBackStore(EmbeddedStore):
    """The embedded store, reporting a rollback as the Redis store would after finding Redis
    gone back in time (tests/control/store/test_redis_rollback.py makes a real one)."""

    last_rollback: Rollback | None = None


def test_not_ready_while_re_syncing_after_a_store_rollback(make_client) -> None:
    store = _RolledBackStore(None)
    client = make_client(store=store)
    store.last_rollback = Rollback(found_version=5, seen_version=10, rebased_version=11,
                                   at_unix=0.0)
    ready = client.get("/readyz")
    assert ready.status_code == 503, ready.text
    assert "went back in time" in ready.json()["problems"]["store"]
    assert "compositor_store_rollbacks_total{backend=\"embedded\"} 1.0" in \
        client.get("/metrics").text
    for i in range(11):  # the hub catches up with the re-based version
        assert client.post("/api/v1/layers", json=color_layer(f"l{i}")).status_code == 201
    wait_for(lambda: client.get("/readyz").status_code == 200, 10, "ready again")
