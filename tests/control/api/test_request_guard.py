"""A web page cannot drive a default (loopback, no token) service: no cross-site changes, no
foreign WebSocket, no DNS rebinding; pages of configured origins can."""

from __future__ import annotations

import pytest

from control.service.settings import Settings, SettingsError, load_settings
from tests.control.api.conftest import ClientFactory
from tests.control.api.helpers import TestClient, WebSocketDenialResponse, color_layer

EVIL = "https://evil.example"
PANEL = "https://panel.example.com"


def test_a_cross_site_commit_without_a_content_type_is_refused(client: TestClient) -> None:
    # What <form> or fetch(..., {mode: "no-cors"}) can send without a CORS preflight.
    response = client.post("/api/v1/commits", content=b'{"ops": []}')
    assert response.status_code == 415 and response.json()["error"]["path"] == "Content-Type"
    assert client.post("/api/v1/layers", content=b'{"kind": "color"}',
                       headers={"Content-Type": "text/plain"}).status_code == 415


def test_a_foreign_page_may_not_change_anything(client: TestClient) -> None:
    headers = {"Origin": EVIL}
    for method, path, body in (("POST", "/api/v1/output/stop", None),
                               ("POST", "/api/v1/output/start", {"url": "rtmp://evil/a/b"}),
                               ("POST", "/api/v1/layers", color_layer("x")),
                               ("DELETE", "/api/v1/layers/x", None)):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"]["path"] == "Origin"
    assert client.get("/api/v1/scene").json()["layers"] == []
    assert client.get("/api/v1/output").json()["state"] == "idle"
    # Reading is not a change (and the browser keeps the answer from the page: no CORS).
    assert client.get("/api/v1/scene", headers=headers).status_code == 200
    # The page of this service itself may, and so may clients that are not pages at all.
    own = {"Origin": "http://testserver"}
    assert client.post("/api/v1/layers", json=color_layer("a"), headers=own).status_code == 201
    assert client.post("/api/v1/layers", json=color_layer("b")).status_code == 201
    assert client.post("/api/v1/layers", json=color_layer("c"),
                       headers={"Origin": "null"}).status_code == 403


def test_a_foreign_page_may_not_open_the_websocket(client: TestClient) -> None:
    with pytest.raises(WebSocketDenialResponse) as denied:
        with client.websocket_connect("/api/v1/ws", headers={"Origin": EVIL}):
            pass
    assert denied.value.status_code == 403
    with client.websocket_connect("/api/v1/ws", headers={"Origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_dns_rebinding_is_refused(client: TestClient) -> None:
    # The attacker's name now points at 127.0.0.1: the page is "same origin" with itself.
    headers = {"Host": "rebind.evil.example:8080", "Origin": "http://rebind.evil.example:8080"}
    for method in ("GET", "POST"):
        response = client.request(method, "/api/v1/scene" if method == "GET" else
                                  "/api/v1/layers", json=color_layer("x"), headers=headers)
        assert response.status_code == 400 and response.json()["error"]["path"] == "Host"
    for host in ("127.0.0.1:8080", "localhost:8080", "[::1]:8080", "LOCALHOST"):
        assert client.get("/api/v1/scene", headers={"Host": host}).status_code == 200, host


def test_pages_of_allowed_origins_work_with_cors(make_client: ClientFactory, tmp_path) -> None:
    client = make_client(settings=Settings(data_dir=tmp_path, allowed_origins=(PANEL,)))
    preflight = client.options("/api/v1/layers", headers={
        "Origin": PANEL, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == PANEL
    created = client.post("/api/v1/layers", json=color_layer("a"), headers={"Origin": PANEL})
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == PANEL
    assert client.post("/api/v1/layers", json=color_layer("b"),
                       headers={"Origin": EVIL}).status_code == 403


def test_settings_build_the_policy() -> None:
    loopback = Settings().request_policy()
    assert loopback.hosts is not None and {"localhost", "127.0.0.1", "::1"} <= loopback.hosts
    public = Settings(host="0.0.0.0", api_token="t").request_policy()
    assert public.hosts is None  # any name: the token is what protects a public bind
    named = Settings(host="0.0.0.0", api_token="t", allowed_hosts=("studio.example",))
    assert named.request_policy().hosts == frozenset({"studio.example", "0.0.0.0"})
    env = {"COMPOSITOR_ALLOWED_ORIGINS": "https://Panel.Example.com:443/, http://a.b:8080"}
    assert load_settings(environ=env).allowed_origins == (PANEL, "http://a.b:8080")
    with pytest.raises(SettingsError, match="--allowed-origin"):
        load_settings(environ={"COMPOSITOR_ALLOWED_ORIGINS": "panel.example.com"})
