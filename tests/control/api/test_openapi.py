"""The OpenAPI document describes exactly the app's routes."""

from __future__ import annotations

import json
import re

from starlette.routing import Route, WebSocketRoute

from compositor.scene.codec import Limits, layer_schema, limits_document
from control.service.settings import Settings
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


def test_the_scene_schemas_follow_the_servers_limits(make_client, tmp_path) -> None:
    client = make_client(settings=Settings(max_layers=5, data_dir=tmp_path))
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Scene"]["properties"]["layers"]["maxItems"] == 5
    assert schemas["Commit"]["properties"]["ops"]["maxItems"] == 20
    assert schemas["Layer"] == json.loads(json.dumps(layer_schema(Limits(max_layers=5))))


def test_get_limits_serves_the_codecs_limits_document(make_client, tmp_path) -> None:
    client = make_client(settings=Settings(max_layers=5, data_dir=tmp_path))
    response = client.get("/api/v1/limits")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(limits_document(Limits(max_layers=5))))
    assert response.json()["limits"]["max_layers"] == 5
    assert response.json()["numbers"]["opacity"] == {"minimum": 0, "maximum": 1, "default": 1}


def test_get_limits_needs_the_token_like_the_rest_of_the_api(make_client, tmp_path) -> None:
    client = make_client(settings=Settings(api_token="s3cret", data_dir=tmp_path))
    assert client.get("/api/v1/limits").status_code == 401
    authorised = client.get("/api/v1/limits", headers={"Authorization": "Bearer s3cret"})
    assert authorised.status_code == 200 and authorised.json()["fonts"]
