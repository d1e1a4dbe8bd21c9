"""The OpenAPI 3.1 document of the control API, written as data.

It is kept next to the routes by a test that checks every route of the app appears here (path
and method) and that every operation here is a route of the app. The Layer, Op and Scene schemas
are generated from ``compositor.scene.codec`` (the one codec that validates scenes) for the
server's limits; the others follow CONTRACT.md.
"""

from __future__ import annotations

from typing import Any

from compositor.scene.codec import ID_PATTERN, Limits, component_schemas
from compositor.scene.schedule import MAX_FRAME
from control.openapi_operator import operator_paths, operator_schemas

__all__ = ["openapi_document"]

_REF = "#/components/schemas/"
_ID = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_ETAG = {"ETag": {"description": 'The scene version, quoted: "12"',
                  "schema": {"type": "string"}}}
_IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
             "description": 'Only apply when the scene is at this version ("12"); 412 otherwise. '
                            "* (or no header) means any version; anything else is a 400.",
             "schema": {"type": "string",
                        "pattern": r'^[ \t]*(\*|(W/)?"*[0-9]{1,16}"*)[ \t]*$'}}
_LAYER_ID = {"name": "layer_id", "in": "path", "required": True, "schema": _ID}
_ASSET_ID = {"name": "asset_id", "in": "path", "required": True,
             "schema": {"type": "string", "description": "hex sha256 of the bytes"}}
_BAD = {
    "400": _error("Malformed JSON or headers"),
    "413": _error("Body larger than the limit (1 MiB for JSON)"),
    "415": _error("Body is not JSON"),
    "422": _error("Validation error; error.path names the field"),
}
# What any operation may answer whatever its route does (added by _add_common_errors; an
# operation's own description of a status wins).
_ANY = {"400": _error("A header, query or path value that cannot be read, or a Host this "
                      "service does not answer to")}
_CHANGES = {"403": _error("Refused: a page from an origin that may not change this service")}
_WITH_BODY = {"413": _BAD["413"], "415": _error("Body of a type the operation does not take"),
              "422": _BAD["422"]}
_API = {"503": _error("The store is unavailable")}


def _schemas(limits: Limits) -> dict[str, Any]:
    return {
        **component_schemas(limits, _REF),  # Layer, Op, Scene: generated from the codec
        "LayerList": {"type": "object", "required": ["version", "layers"], "properties": {
            "version": {"type": "integer"},
            "layers": {"type": "array", "items": _ref("Layer"),
                       "description": "in creation order"}}},
        "Commit": {"type": "object", "additionalProperties": False, "required": ["ops"],
                   "properties": {"if_version": {"type": ["integer", "null"], "minimum": 0,
                                                 "description": "null: any version"},
                                  "ops": {"type": "array", "items": _ref("Op"),
                                          "maxItems": 4 * limits.max_layers},
                                  "at": _ref("At")}},
        "CommitResult": {"type": "object", "required": ["version"],
                         "properties": {"version": {"type": "integer"}}},
        **_schedule_schemas(),
        **operator_schemas(limits),
        "Asset": {"type": "object", "required": ["id", "kind", "bytes", "sha256"], "properties": {
            "id": {"type": "string"}, "kind": {"enum": ["image", "font"]},
            "content_type": {"type": "string"},
            "width": {"type": ["integer", "null"]}, "height": {"type": ["integer", "null"]},
            "bytes": {"type": "integer"}, "sha256": {"type": "string"},
            "name": {"type": ["string", "null"]}, "created_unix": {"type": "number"}}},
        "AssetList": {"type": "object", "properties": {
            "assets": {"type": "array", "items": _ref("Asset")}}},
        "OutputStatus": {"type": "object", "required": ["state"], "properties": {
            "state": {"enum": ["idle", "connecting", "live", "reconnecting", "error"]},
            "url": {"type": ["string", "null"], "description": "stream key redacted"},
            "frames": {"type": "integer"}, "dropped": {"type": "integer"},
            "fps": {"type": "number"}, "encoder": {"type": ["string", "null"]}},
            "additionalProperties": True},
        "OutputStart": {"type": "object", "additionalProperties": False, "properties": {
            "url": {"type": ["string", "null"], "pattern": r"^rtmps?://\S*$",
                    "maxLength": 2048, "description": "null or absent: the configured URL"}}},
        "Error": {"type": "object", "required": ["error"], "properties": {
            "error": {"type": "object", "required": ["code", "message", "path"], "properties": {
                "code": {"type": "string"}, "message": {"type": "string"},
                "path": {"type": ["string", "null"]}}},
            "version": {"type": "integer", "description": "the current version (conflicts)"}}},
        "Limits": _limits_schema(),
        "Health": {"type": "object", "properties": {
            "status": {"type": "string"}, "version": {"type": ["integer", "null"]},
            "problems": {"type": "object", "additionalProperties": {"type": "string"}}}},
    }


def _limits_schema() -> dict[str, Any]:
    bound = {"type": "object", "required": ["minimum", "maximum", "default"], "properties": {
        "minimum": {"type": "number"}, "maximum": {"type": "number"},
        "default": {"type": ["number", "null"], "description": "null: optional, null allowed"}}}
    values = {"type": "array", "items": {"type": ["string", "boolean"]}}
    return {"type": "object", "required": ["limits", "choices", "fonts", "numbers"],
            "description": "What a client needs to offer only valid values (all from the "
                           "codec and this server's configuration)",
            "properties": {
                "limits": {"type": "object", "additionalProperties": {"type": "number"},
                           "description": "configurable bounds: max_layers, max_text_chars, "
                                          "max_name_chars, min_size_px, max_size_px, ..."},
                "choices": {"type": "object", "additionalProperties": values,
                            "description": "allowed values by field: kind, blend, align, "
                                           "effect, loop, property, easing"},
                "fonts": {"type": "array", "items": {"type": "string"},
                          "description": "builtin font names (a font asset id also works)"},
                "numbers": {"type": "object", "additionalProperties": bound,
                            "description": "each bounded layer number by JSON path: "
                                           "transform.x, content.size_px, opacity, z, ..."}}}


def _schedule_schemas() -> dict[str, Any]:
    frame = {"type": "integer", "minimum": 0, "maximum": MAX_FRAME,
             "description": "absolute frame: frame F starts F / fps seconds after the epoch"}
    return {
        "At": {"description": "When a commit lands (exactly one field)", "oneOf": [
            {"type": "object", "additionalProperties": False, "required": ["frame"],
             "properties": {"frame": frame}},
            {"type": "object", "additionalProperties": False, "required": ["utc"],
             "properties": {"utc": {"type": "string", "format": "date-time", "description":
                                    "ISO 8601 with a zone: the first frame starting at or "
                                    "after it"}}},
            {"type": "object", "additionalProperties": False, "required": ["in_frames"],
             "properties": {"in_frames": {"type": "integer", "minimum": 0,
                                          "maximum": MAX_FRAME}}}]},
        "ScheduledCommit": {"type": "object", "required": ["id", "at_frame", "ops"],
                            "properties": {
                                "id": {"type": "string"}, "at_frame": frame,
                                "ops": {"type": "array", "items": _ref("Op")},
                                "author": {"type": ["string", "null"]},
                                "created_unix": {"type": "number"}}},
        "Schedule": {"type": "object", "required": ["entries"], "properties": {
            "entries": {"type": "array", "items": _ref("ScheduledCommit"),
                        "description": "earliest frame first"}}},
        "Applied": {"type": "object", "required": ["frame", "pts", "late_frames"],
                    "properties": {"frame": frame, "pts": {"type": "integer"},
                                   "late_frames": {"type": "integer", "minimum": 0},
                                   "encoded_unix": {"type": "number"}}},
        "CommitStatus": {"type": "object", "required": ["version", "applied"], "properties": {
            "version": {"type": "integer"},
            "frame": {"type": ["integer", "null"], "description": "the landing frame"},
            "at_frame": {"type": ["integer", "null"], "description": "the requested frame "
                         "(scheduled commits)"},
            "applied": {"oneOf": [_ref("Applied"), {"type": "null"}],
                        "description": "null while not yet on air"}}},
    }


def _schedule_paths() -> dict[str, Any]:
    return {
        "/api/v1/commits/{version}": {"get": {
            "operationId": "get_commit", "summary": "Whether a commit is on air, and from which "
            "frame (its on-air receipt)",
            "parameters": [{"name": "version", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0},
                            "description": "0: the scene the store started with"}],
            "responses": {"200": _json(_ref("CommitStatus"), "The commit"),
                          "404": _error("Unknown version (or older than the journal)")}}},
        "/api/v1/schedule": {"get": {
            "operationId": "list_schedule", "summary": "Scheduled commits waiting for their "
            "frame", "responses": {"200": _json(_ref("Schedule"), "The schedule")}}},
        "/api/v1/schedule/{id}": {"delete": {
            "operationId": "cancel_scheduled", "summary": "Cancel a scheduled commit",
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"204": {"description": "Cancelled"},
                          "404": _error("No such scheduled commit"),
                          "409": _error("Already committed (on air or about to be)")}}},
    }


def _paths() -> dict[str, Any]:
    layer_body = {"required": True, "content": {"application/json": {"schema": _ref("Layer")}}}
    patch_body = {"required": True, "content": {
        "application/merge-patch+json": {"schema": {"type": "object"}},
        "application/json": {"schema": {"type": "object"}}}}
    not_found = {"404": _error("No such layer")}
    stale = {"412": _error("If-Match is stale; body carries the current version")}
    layer_ok = {"description": "The layer", "headers": _ETAG,
                "content": {"application/json": {"schema": _ref("Layer")}}}
    return {
        "/api/v1/scene": {"get": {
            "operationId": "get_scene", "summary": "The whole scene",
            "responses": {"200": {**_json(_ref("Scene"), "The scene"), "headers": _ETAG},
                          "304": {"description": "If-None-Match matched"}}}},
        "/api/v1/layers": {
            "get": {"operationId": "list_layers", "summary": "Layers in creation order",
                    "responses": {"200": _json(_ref("LayerList"), "The layers")}},
            "post": {"operationId": "create_layer", "summary": "Create a layer (one add op)",
                     "parameters": [_IF_MATCH], "requestBody": layer_body,
                     "responses": {"201": {**layer_ok, "description": "Created; Location set"},
                                   "409": _error("A layer with that id exists"), **stale,
                                   **_BAD}}},
        "/api/v1/layers/{layer_id}": {
            "parameters": [_LAYER_ID],
            "get": {"operationId": "get_layer", "summary": "One layer",
                    "responses": {"200": layer_ok, **not_found}},
            "patch": {"operationId": "patch_layer", "summary": "JSON merge patch (RFC 7396)",
                      "parameters": [_IF_MATCH], "requestBody": patch_body,
                      "responses": {"200": layer_ok, **not_found, **stale, **_BAD}},
            "delete": {"operationId": "delete_layer", "summary": "Remove a layer",
                       "parameters": [_IF_MATCH],
                       "responses": {"204": {"description": "Removed", "headers": _ETAG},
                                     **not_found, **stale}}},
        "/api/v1/commits": {"post": {
            "operationId": "post_commit", "summary": "Apply ops all or nothing",
            "parameters": [_IF_MATCH],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": _ref("Commit")}}},
            "responses": {"200": {**_json(_ref("CommitResult"), "The new version"),
                                  "headers": _ETAG},
                          "202": _json({"type": "object", "required": ["scheduled"],
                                        "properties": {"scheduled": _ref("ScheduledCommit")}},
                                       "Scheduled (the body had \"at\")"),
                          "404": _error("An op names a missing layer"),
                          "409": _error("Stale if_version (body has the current version) "
                                        "or a duplicate layer id"), **stale, **_BAD}}},
        **_schedule_paths(),
        **operator_paths(),
        "/api/v1/assets": {
            "get": {"operationId": "list_assets", "summary": "Every asset",
                    "responses": {"200": _json(_ref("AssetList"), "The assets")}},
            "post": {"operationId": "upload_asset",
                     "summary": "Upload an image (PNG, JPEG, WebP, GIF) or font (TTF, OTF)",
                     "requestBody": {"required": True, "content": {
                         "image/*": {"schema": {"type": "string", "format": "binary"}},
                         "font/*": {"schema": {"type": "string", "format": "binary"}},
                         "multipart/form-data": {"schema": {
                             "type": "object", "required": ["file"], "properties": {
                                 "file": {"type": "string", "format": "binary"}}}}}},
                     "responses": {"201": _json(_ref("Asset"), "Stored"),
                                   "200": _json(_ref("Asset"), "Already stored (same bytes)"),
                                   "413": _error("Larger than the limit (32 MiB)"),
                                   "415": _error("Not an image or font type"),
                                   "422": _error("Does not decode, or too many pixels")}}},
        "/api/v1/assets/{asset_id}": {
            "parameters": [_ASSET_ID],
            "get": {"operationId": "get_asset", "summary": "Asset metadata",
                    "responses": {"200": _json(_ref("Asset"), "Metadata"),
                                  "404": _error("No such asset")}},
            "delete": {"operationId": "delete_asset", "summary": "Delete an unused asset",
                       "responses": {"204": {"description": "Deleted"},
                                     "404": _error("No such asset"),
                                     "409": _error("A layer uses it")}}},
        "/api/v1/assets/{asset_id}/data": {
            "parameters": [_ASSET_ID],
            "get": {"operationId": "get_asset_data", "summary": "The asset's bytes",
                    "responses": {"200": {"description": "The bytes, with their type",
                                          "content": {"*/*": {}}},
                                  "404": _error("No such asset")}}},
        "/api/v1/limits": {"get": {
            "operationId": "get_limits", "summary": "Bounds, choices and builtin fonts of layer "
            "fields (what the web page offers)",
            "responses": {"200": _json(_ref("Limits"), "The limits")}}},
        "/api/v1/output": {"get": {
            "operationId": "get_output", "summary": "Program output state",
            "responses": {"200": _json(_ref("OutputStatus"), "The state")}}},
        "/api/v1/output/start": {"post": {
            "operationId": "start_output", "summary": "Start streaming",
            "requestBody": {"required": False, "content": {
                "application/json": {"schema": {"oneOf": [_ref("OutputStart"),
                                                          {"type": "null"}]}}}},
            "responses": {"200": _json(_ref("OutputStatus"), "The new state"),
                          "409": _error("Refused in the current state"),
                          "422": _error("Bad or missing URL"),
                          "503": _error("This replica does not render")}}},
        "/api/v1/output/stop": {"post": {
            "operationId": "stop_output", "summary": "Stop streaming",
            "responses": {"200": _json(_ref("OutputStatus"), "The new state"),
                          "503": _error("This replica does not render")}}},
        "/api/v1/preview.jpg": {"get": {
            "operationId": "preview", "summary": "The latest program frame",
            "parameters": [{"name": "width", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 16, "maximum": 7680}}],
            "responses": {"200": {"description": "JPEG", "content": {"image/jpeg": {}}},
                          "422": _error("Bad width"),
                          "503": _error("No frame (not rendering)")}}},
        "/api/v1/ws": {"get": {
            "operationId": "ws", "summary": "WebSocket: hello, scene.changed, commit/ping",
            "description": "Upgrade to a WebSocket. Messages are documented in docs/api.md.",
            "parameters": [
                {"name": "since", "in": "query", "required": False,
                 "schema": {"type": "integer"}, "description": "resume after this version"},
                {"name": "token", "in": "query", "required": False,
                 "schema": {"type": "string"}, "description": "API token (browsers)"}],
            "responses": {"101": {"description": "Switching protocols"},
                          "401": _error("Missing or wrong token"), **_CHANGES,
                          "426": {**_error("A plain HTTP request: upgrade to a WebSocket"),
                                  "headers": {"Upgrade": {"schema": {"const": "websocket"}}}}}}},
        "/healthz": {"get": {"operationId": "healthz", "summary": "Liveness", "security": [],
                             "responses": {"200": _json(_ref("Health"), "Alive")}}},
        "/readyz": {"get": {"operationId": "readyz", "summary": "Readiness", "security": [],
                            "responses": {"200": _json(_ref("Health"), "Ready"),
                                          "503": _json(_ref("Health"), "Not ready")}}},
        "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus metrics",
                             "security": [], "responses": {"200": {
                                 "description": "Prometheus text format",
                                 "content": {"text/plain": {}}}}}},
        "/": {"get": {"operationId": "web_index", "summary": "The operator page (HTML; its "
                      "files are under /web/)", "security": [],
                      "responses": {"200": {"description": "HTML",
                                            "content": {"text/html": {}}}}}},
        "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                                  "security": [], "responses": {"200": {
                                      "description": "OpenAPI 3.1",
                                      "content": {"application/json": {}}}}}},
    }


def openapi_document(limits: Limits, *, token_required: bool = False) -> dict[str, Any]:
    """The OpenAPI 3.1 document for a server with ``limits``; with ``token_required`` every /api
    operation needs bearer auth."""
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "compositor control API", "version": "1",
                 "description": "Control a live graphics compositor: scene, layers, commits, "
                                "assets, output and preview. Errors: "
                                '{"error": {"code", "message", "path"}}.'},
        "paths": _paths(),
        "components": {
            "schemas": _schemas(limits),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
    if token_required:
        document["security"] = [{"bearer": []}]
    _add_common_errors(document["paths"], token_required=token_required)
    return document


def _add_common_errors(paths: dict[str, Any], *, token_required: bool) -> None:
    """Document on every operation the errors that do not depend on its route: a request the
    guard or the body reader refuses, a store that is down, a missing token."""
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            common = dict(_ANY)
            if method != "get":
                common.update(_CHANGES)
            if "requestBody" in operation:
                common.update(_WITH_BODY)
            if path.startswith("/api/"):
                common.update(_API)
            if token_required and operation.get("security") != []:
                common["401"] = _error("Missing or wrong API token")
            responses = operation.setdefault("responses", {})
            for status, response in common.items():
                responses.setdefault(status, response)
