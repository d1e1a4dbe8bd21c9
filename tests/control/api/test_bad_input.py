"""Bad input never makes a 500: arbitrary JSON and bytes against every mutating route."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.control.api.helpers import TestClient, color_layer, receive_until

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["id", "kind", "content", "ops", "op", "layer", "patch",
                                       "transform", "x", "opacity", "if_version", "url",
                                       "color", "text", "font", "z", "crop", "left"]) | st.text(
                                           max_size=8), children, max_size=5),
    max_leaves=20,
)

# The client fixture is shared across examples on purpose: one app, many requests.
_FIXTURE_OK = [HealthCheck.function_scoped_fixture]
_ROUTES = (("POST", "/api/v1/layers"), ("PATCH", "/api/v1/layers/box"),
           ("POST", "/api/v1/commits"), ("POST", "/api/v1/output/start"))


@settings(max_examples=60, deadline=None, suppress_health_check=_FIXTURE_OK)
@given(body=_json, route=st.sampled_from(_ROUTES))
def test_arbitrary_json_is_never_a_server_error(client: TestClient, body: Any,
                                                route: tuple[str, str]) -> None:
    client.post("/api/v1/layers", json=color_layer("box"))
    response = client.request(route[0], route[1], json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "path"}


@settings(max_examples=30, deadline=None, suppress_health_check=_FIXTURE_OK)
@given(raw=st.binary(max_size=64), content_type=st.sampled_from(
    ["application/json", "image/png", "font/ttf", "multipart/form-data; boundary=x", ""]))
def test_arbitrary_bytes_are_never_a_server_error(client: TestClient, raw: bytes,
                                                  content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    for method, path in (*_ROUTES, ("POST", "/api/v1/assets")):
        response = client.request(method, path, content=raw, headers=headers)
        assert response.status_code < 500, (path, response.text)


def test_deep_nesting_and_huge_numbers(client: TestClient) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/commits", content=deep,
                           headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 413)
    huge = client.post("/api/v1/layers", json={**color_layer("h"), "z": 10**400})
    assert huge.status_code == 422
    too_big = client.post("/api/v1/commits", content=b" " * (2 * 1024 * 1024),
                          headers={"Content-Type": "application/json"})
    assert too_big.status_code == 413


_HUGE = "9" * 5000
_SURROGATE = '"\\ud800"'  # a lone surrogate, as JSON text escapes it
_BAD_TEMPLATES = [  # (JSON text of a commit body, the path of the bad field, a fragment of why)
    ('{"ops": [{"op": "update", "id": "box", "patch": {"z": HUGE}}]}',
     "ops[0].patch.z", "must be an integer"),
    ('{"ops": [{"op": "update", "id": "box", "patch": {"opacity": -HUGE}}]}',
     "ops[0].patch.opacity", "finite"),
    ('{"if_version": HUGE, "ops": []}', "if_version", ""),
    ('{"ops": [{"op": "update", "id": "box", "patch": {"name": SURROGATE}}]}',
     "ops[0].patch.name", "lone surrogate"),
    ('{"ops": [{"op": "add", "layer": {"kind": "text", "content": {"text": SURROGATE}}}]}',
     "ops[0].layer.content.text", "lone surrogate"),
    ('{"ops": [], "at": {"in_frames": 30}, "x\\udfff": 1}', "x\\udfff", "lone surrogate"),
]
_BAD_TEXTS = [(text.replace("HUGE", _HUGE).replace("SURROGATE", _SURROGATE), path, reason)
              for text, path, reason in _BAD_TEMPLATES]


def test_huge_integers_and_lone_surrogates_are_refused_with_their_path(
        client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("box"))
    before = client.get("/api/v1/scene").json()
    for text, path, reason in _BAD_TEXTS:
        response = client.post("/api/v1/commits", content=text.encode(),
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 422, (text[:80], response.text)
        error = response.json()["error"]
        assert error["path"] == path and reason in error["message"], error
    assert client.get("/api/v1/scene").json() == before  # nothing changed
    assert client.get("/api/v1/schedule").json()["entries"] == []  # nothing scheduled either


def test_websocket_refuses_them_alike(client: TestClient) -> None:
    client.post("/api/v1/layers", json=color_layer("box"))
    with client.websocket_connect("/api/v1/ws") as ws:
        receive_until(ws, "hello")
        for index, (text, path, reason) in enumerate(_BAD_TEXTS):
            ws.send_text(text.replace('{"', f'{{"type": "commit", "id": {index}, "', 1))
            result = receive_until(ws, "result")
            assert result["ok"] is False and result["id"] == index, result
            assert result["error"]["path"] == path and reason in result["error"]["message"]
