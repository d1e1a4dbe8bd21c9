"""The API on the Redis store: the same routes, and changes relayed between replicas.

Two apps (think: two ``compositor serve`` processes) share one real ``redis-server``; a change
made through one reaches the WebSocket clients of the other, through the store's change feed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from control.program import NullProgram
from control.service.settings import Settings
from control.service.stores import open_store
from tests.control.api.conftest import ClientFactory
from tests.control.api.helpers import TestClient, color_layer, png_bytes
from tests.servers import RedisServer


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture
def replica(make_client: ClientFactory, redis_url: str, tmp_path: Path):
    channel = "t" + uuid.uuid4().hex[:12]

    def start(*, render: bool = True) -> TestClient:
        settings = Settings(redis_url=redis_url, channel=channel, data_dir=tmp_path)
        kwargs = {} if render else {"program": NullProgram()}
        return make_client(settings=settings, store=open_store(settings), **kwargs)

    return start


def test_routes_on_redis(replica) -> None:
    client: TestClient = replica()
    created = client.post("/api/v1/layers", json=color_layer("a"))
    assert created.status_code == 201 and created.headers["etag"] == '"1"'
    patched = client.patch("/api/v1/layers/a", json={"opacity": 0.5},
                           headers={"If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["opacity"] == 0.5
    stale = client.post("/api/v1/commits", json={"if_version": 1, "ops": []})
    assert stale.status_code == 409 and stale.json()["version"] == 2
    asset = client.post("/api/v1/assets", content=png_bytes(),
                        headers={"Content-Type": "image/png"})
    assert asset.status_code in (200, 201)  # assets are shared by channels: may exist already
    asset_id = asset.json()["id"]
    client.post("/api/v1/layers", json={"id": "img", "kind": "image",
                                        "content": {"asset": asset_id}})
    assert client.delete(f"/api/v1/assets/{asset_id}").status_code == 409
    assert client.delete("/api/v1/layers/img").status_code == 204
    metrics = client.get("/metrics").text
    assert 'compositor_store_connected{backend="redis"} 1.0' in metrics
    assert client.get("/readyz").json()["status"] == "ready"


def test_a_change_made_on_one_replica_reaches_the_others_websockets(replica) -> None:
    renderer: TestClient = replica()
    relay: TestClient = replica(render=False)
    with relay.websocket_connect("/api/v1/ws") as ws, \
            renderer.websocket_connect("/api/v1/ws") as own:
        assert ws.receive_json()["type"] == "hello"
        assert own.receive_json()["type"] == "hello"
        assert renderer.post("/api/v1/layers", json=color_layer("a")).status_code == 201
        own.send_json({"type": "commit", "id": "c", "ops": [
            {"op": "update", "id": "a", "patch": {"z": 3}}]})
        relayed = [ws.receive_json() for _ in range(2)]
        assert [m["version"] for m in relayed] == [1, 2]
        assert relayed[0]["ops"][0]["layer"]["id"] == "a"
        assert relayed[1]["ops"] == [{"op": "update", "id": "a", "patch": {"z": 3}}]
        # and the other way round: a commit on the replica reaches the renderer's clients
        patched = relay.patch("/api/v1/layers/a", json={"visible": False})
        assert patched.status_code == 200, patched.text
        seen = [own.receive_json() for _ in range(4)]  # 3 changes and the result of "c"
        assert [m.get("version") for m in seen if m["type"] == "scene.changed"] == [1, 2, 3]
        assert [m["id"] for m in seen if m["type"] == "result"] == ["c"]
    assert relay.get("/api/v1/scene").json()["version"] == 3
