"""Every resource a client can make the service hold is bounded, with a clear 409 (or a refused
WebSocket) at the limit, and nothing half done."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.websockets import WebSocketDisconnect

from compositor.scene import AddLayer, UpdateLayer
from compositor.scene.codec import decode_layer
from control.assets import AssetPolicy
from control.config import ControlConfig
from control.service.settings import Settings, SettingsError, load_settings
from control.store.embedded import EmbeddedStore
from control.store.records import scene_to_text
from tests.control.api.conftest import ClientFactory
from tests.control.api.helpers import TestClient, color_layer, png_bytes
from tests.polling import run_in_thread


def test_asset_count_and_storage_quotas(make_client: ClientFactory) -> None:
    client = make_client(asset_policy=AssetPolicy(max_count=2, max_total_bytes=10_000))
    for color in ((255, 0, 0, 255), (0, 255, 0, 255)):
        assert client.post("/api/v1/assets", content=png_bytes(4, 4, color),
                           headers={"Content-Type": "image/png"}).status_code == 201
    third = client.post("/api/v1/assets", content=png_bytes(4, 4, (0, 0, 255, 255)),
                        headers={"Content-Type": "image/png"})
    assert third.status_code == 409 and third.json()["error"]["code"] == "quota_exceeded"
    assert len(client.get("/api/v1/assets").json()["assets"]) == 2
    # The same bytes again are not a new asset: no quota needed.
    assert client.post("/api/v1/assets", content=png_bytes(4, 4, (255, 0, 0, 255)),
                       headers={"Content-Type": "image/png"}).status_code == 200
    small = make_client(asset_policy=AssetPolicy(max_total_bytes=100))
    big = small.post("/api/v1/assets", content=png_bytes(64, 64),
                     headers={"Content-Type": "image/png"})
    assert big.status_code == 409 and "quota" in big.json()["error"]["message"]


def test_the_schedule_is_bounded(make_client: ClientFactory, tmp_path: Path) -> None:
    client = make_client(settings=Settings(data_dir=tmp_path, max_scheduled=2))
    client.post("/api/v1/layers", json=color_layer("a"))
    body = {"at": {"in_frames": 100_000}, "ops": [
        {"op": "update", "id": "a", "patch": {"opacity": 0.5}}]}
    assert [client.post("/api/v1/commits", json=body).status_code for _ in range(3)] == \
        [202, 202, 409]
    assert len(client.get("/api/v1/schedule").json()["entries"]) == 2


def test_websocket_clients_are_bounded(make_client: ClientFactory, tmp_path: Path) -> None:
    client: TestClient = make_client(settings=Settings(data_dir=tmp_path, max_ws_clients=2))
    first = client.websocket_connect("/api/v1/ws")
    second = client.websocket_connect("/api/v1/ws")
    for ws in (first, second):
        assert ws.__enter__().receive_json()["type"] == "hello"
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/api/v1/ws") as third:
            third.receive_json()
    assert refused.value.code == 1013
    assert "compositor_ws_refused_total 1.0" in client.get("/metrics").text
    first.__exit__(None, None, None)
    second.__exit__(None, None, None)


def test_the_embedded_journal_is_bounded_in_bytes() -> None:
    store = EmbeddedStore(None, journal_max_bytes=20_000)
    async def fill() -> list[int]:
        await store.commit([AddLayer(decode_layer({"id": "t", "kind": "text", "content": {
            "text": "x", "max_width_px": 1000}}))])
        for i in range(50):
            await store.commit([UpdateLayer("t", {"content": {"text": str(i) * 1000}})])
        return [record.version for record in await store.journal(0)]

    versions = run_in_thread(fill())
    assert versions[-1] == 51 and len(versions) < 25  # ~1 kB a commit, 20 kB kept
    assert len(scene_to_text(run_in_thread(store.read()))) > 1000


def test_quota_settings_parse_sizes_and_reach_the_app() -> None:
    settings = load_settings(environ={"COMPOSITOR_MAX_ASSET_STORAGE": "512M",
                                      "COMPOSITOR_MAX_JOURNAL_BYTES": "1g",
                                      "COMPOSITOR_MAX_WS_CLIENTS": "7"})
    assert settings.max_asset_storage == 512 * 1024**2
    assert settings.max_journal_bytes == 1024**3
    config: ControlConfig = settings.control_config()
    assert config.assets.max_total_bytes == 512 * 1024**2 and config.max_ws_clients == 7
    with pytest.raises(SettingsError, match="--max-asset-storage"):
        load_settings(environ={"COMPOSITOR_MAX_ASSET_STORAGE": "lots"})
