"""The OpenAPI document describes exactly the app's routes."""

from __future__ import annotations

import re

from starlette.routing import Route, WebSocketRoute

from tests.control.api.helpers import TestClient


def _app_operations(client: TestClient) -> set[tuple[str, str]]:
    operations: set[tuple[str, str]] = set()
    for route in client.app.routes:  # type: ignore[attr-defined]
        path = re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", route.path)
        if isinstance(route, WebSocketRoute):
            operations.add(("get", path))
        elif isinstance(route, Route):
            operations.update((m.lower(), path) for m in route.methods or () if m != "HEAD")
    return operations


def test_every_route_is_documented_and_vice_versa(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    documented = {(method, path) for path, ops in document["paths"].items()
                  for method in ops if method != "parameters"}
    assert documented == _app_operations(client)


def test_every_reference_resolves_and_ids_are_unique(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', str(document).replace("'", '"'))
    assert refs and all(ref in schemas for ref in refs)
    ids = [op["operationId"] for ops in document["paths"].values()
           for name, op in ops.items() if name != "parameters"]
    assert len(ids) == len(set(ids))


def test_layer_schema_matches_the_codec_fields(client: TestClient) -> None:
    from compositor.scene import Color, ColorContent, Layer
    from compositor.scene.codec import encode_layer

    document = client.get("/openapi.json").json()
    layer_schema = document["components"]["schemas"]["Layer"]["properties"]
    encoded = encode_layer(Layer("a", "color", ColorContent(Color(0, 0, 0))))
    assert set(layer_schema) >= set(encoded)
    assert set(layer_schema["transform"]["properties"]) == set(encoded["transform"])
