"""Bad input never makes a 500: arbitrary JSON and bytes against every mutating route."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.control.api.helpers import TestClient, color_layer

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
