"""API token: every /api route and the WebSocket need it; health and metrics stay open."""

from __future__ import annotations

import pytest

from control.auth import token_matches
from control.service.settings import Settings
from tests.control.api.helpers import TestClient, WebSocketDenialResponse

TOKEN = "s3cret-token"


@pytest.fixture
def secured(make_client, tmp_path) -> TestClient:
    client: TestClient = make_client(settings=Settings(api_token=TOKEN, data_dir=tmp_path))
    return client


def test_api_requires_the_bearer_token(secured: TestClient) -> None:
    for method, path in (("GET", "/api/v1/scene"), ("GET", "/api/v1/layers"),
                         ("POST", "/api/v1/commits"), ("GET", "/api/v1/assets"),
                         ("GET", "/api/v1/output"), ("GET", "/api/v1/preview.jpg"),
                         ("DELETE", "/api/v1/layers/x")):
        response = secured.request(method, path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")
    wrong = secured.get("/api/v1/scene", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    basic = secured.get("/api/v1/scene", headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 401
    ok = secured.get("/api/v1/scene", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200


def test_open_routes_stay_open(secured: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert secured.get(path).status_code == 200, path
    assert secured.get("/openapi.json").json()["security"] == [{"bearer": []}]


def test_websocket_requires_the_token(secured: TestClient) -> None:
    with pytest.raises(WebSocketDenialResponse) as denied:
        with secured.websocket_connect("/api/v1/ws?token=wrong"):
            pass
    assert denied.value.status_code == 401
    assert denied.value.json()["error"]["code"] == "unauthorized"
    with secured.websocket_connect(f"/api/v1/ws?token={TOKEN}") as ws:
        assert ws.receive_json()["type"] == "hello"
    with secured.websocket_connect("/api/v1/ws",
                                   headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_token_compare() -> None:
    assert token_matches("abc", "abc")
    assert not token_matches("abd", "abc")
    assert not token_matches(None, "abc")
    assert not token_matches("", "abc")
