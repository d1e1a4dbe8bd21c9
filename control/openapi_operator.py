"""The OpenAPI part of the operator workflow (CONTRACT v1.2): cues, preview before air and the
as-run log. ``control.openapi`` merges :func:`operator_schemas` and :func:`operator_paths` into
the document."""

from __future__ import annotations

from typing import Any

from compositor.scene.codec import ID_PATTERN, Limits
from control.previews import MAX_FRAME_OFFSET

__all__ = ["operator_paths", "operator_schemas"]

_REF = "#/components/schemas/"
_ID = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(name: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": _ref(name)}}}


_JPEG = {"description": "The picture (nothing is committed)",
         "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}
_NO_RENDER = _json(_ref("Error"), "Nothing renders here (--no-render), or the render thread "
                                  "has no time for a preview now (program frames come first)")
_CUE_ID = {"name": "id", "in": "path", "required": True, "schema": _ID}


def operator_schemas(limits: Limits) -> dict[str, Any]:
    ops = {"type": "array", "items": _ref("Op"), "maxItems": 4 * limits.max_layers}
    offset = {"type": "integer", "minimum": 0, "maximum": MAX_FRAME_OFFSET,
              "description": "frames after the landing (scrub an animation)"}
    width = {"type": ["integer", "null"], "minimum": 16, "maximum": 7680}
    return {
        "CueBody": {"type": "object", "additionalProperties": False, "required": ["name", "ops"],
                    "properties": {"id": {**_ID, "type": ["string", "null"],
                                          "description": "null or absent: the URL's id "
                                                         "(PUT) or a new one"},
                                   "name": {"type": "string", "minLength": 1,
                                                       "maxLength": 200},
                                   "ops": ops, "if_version": {"type": ["integer", "null"],
                                                              "minimum": 0}}},
        "Cue": {"type": "object", "required": ["id", "name", "ops"], "properties": {
            "id": _ID, "name": {"type": "string"}, "ops": ops,
            "if_version": {"type": ["integer", "null"]}, "created_unix": {"type": "number"},
            "updated_unix": {"type": "number"}}},
        "CueList": {"type": "object", "required": ["cues"], "properties": {
            "cues": {"type": "array", "items": _ref("Cue"), "description": "by name"}}},
        "Take": {"type": "object", "additionalProperties": False, "properties": {
            "at": _ref("At"), "request_id": {**_ID, "description": "a repeated id takes once "
                                             "and answers the first take's version"}}},
        "PreviewBody": {"oneOf": [
            {"type": "object", "additionalProperties": False, "required": ["ops"],
             "properties": {"ops": ops, "if_version": {"type": ["integer", "null"],
                                                       "minimum": 0},
                            "frame_offset": offset, "width": width}},
            {"type": "object", "additionalProperties": False, "required": ["cue"],
             "properties": {"cue": _ID, "frame_offset": offset, "width": width}}]},
        "AsRunEntry": {"type": "object", "required": ["frame", "utc", "version", "source",
                                                      "layers", "on_air"], "properties": {
            "frame": {"type": "integer", "description": "the on-air receipt's frame (else the "
                                                         "landing frame, on_air false)"},
            "utc": {"type": "string", "format": "date-time"}, "version": {"type": "integer"},
            "source": {"enum": ["http", "ws", "cue", "schedule", "controller", "unknown"]},
            "cue": {"type": "string"}, "cue_name": {"type": ["string", "null"]},
            "layers": {"type": "array", "items": {"type": "string"}},
            "on_air": {"type": "boolean"}}},
        "AsRun": {"type": "object", "required": ["entries"], "properties": {
            "entries": {"type": "array", "items": _ref("AsRunEntry")}}},
    }


def _cue_paths() -> dict[str, Any]:
    cue_ok = _json(_ref("Cue"), "The cue")
    missing = {"404": _json(_ref("Error"), "No such cue")}
    return {
        "/api/v1/cues": {
            "get": {"operationId": "list_cues", "summary": "Every cue",
                    "responses": {"200": _json(_ref("CueList"), "The cues")}},
            "post": {"operationId": "create_cue", "summary": "Store a cue (a named commit)",
                     "requestBody": _body("CueBody"),
                     "responses": {"201": cue_ok, "409": _json(_ref("Error"), "The id exists, "
                                                               "or the most cues are stored")}}},
        "/api/v1/cues/{id}": {
            "parameters": [_CUE_ID],
            "get": {"operationId": "get_cue", "summary": "A cue",
                    "responses": {"200": cue_ok, **missing}},
            "put": {"operationId": "put_cue", "summary": "Replace (or create) a cue",
                    "requestBody": _body("CueBody"),
                    "responses": {"200": cue_ok, "201": cue_ok,
                                  "409": _json(_ref("Error"), "The most cues are stored")}},
            "delete": {"operationId": "delete_cue", "summary": "Delete a cue",
                       "responses": {"204": {"description": "Deleted"}, **missing}}},
        "/api/v1/cues/{id}/take": {"post": {
            "operationId": "take_cue", "summary": "Take a cue to air: one commit",
            "parameters": [_CUE_ID], "requestBody": _body("Take", required=False),
            "responses": {"200": _json(_ref("CommitResult"), "Committed"), **missing,
                          "409": _json(_ref("Error"), "The cue's if_version is stale, a layer "
                                       "it adds exists, or the same request id is still "
                                       "being taken")}}},
        "/api/v1/cues/{id}/preview.jpg": {"get": {
            "operationId": "cue_preview", "summary": "The scene as it would be after taking "
            "the cue", "parameters": [
                _CUE_ID,
                {"name": "frame_offset", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 0, "maximum": MAX_FRAME_OFFSET}},
                {"name": "width", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 16, "maximum": 7680}}],
            "responses": {"200": _JPEG, **missing, "503": _NO_RENDER,
                          "409": _json(_ref("Error"), "The cue's if_version is stale, or a "
                                       "layer it adds exists"),
                          "422": _json(_ref("Error"), "A bad or unknown query parameter, or "
                                       "ops no longer valid on the scene")}}},
    }


def operator_paths() -> dict[str, Any]:
    bound = {"type": "string", "description": "a UTC ISO 8601 time with a zone, or frame:N",
             "pattern": r"^(frame:[0-9]{1,16}|[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}"
                        r":[0-9]{2}([.,][0-9]{1,9})?([Zz]|[+-][0-9]{2}:?[0-9]{2}))$"}
    return {
        **_cue_paths(),
        "/api/v1/preview": {"post": {
            "operationId": "post_preview", "summary": "Render a commit body or a cue without "
            "committing it", "requestBody": _body("PreviewBody"),
            "responses": {"200": _JPEG, "404": _json(_ref("Error"), "No such cue or layer"),
                          "409": _json(_ref("Error"), "A stale if_version, or a layer that "
                                       "exists"), "503": _NO_RENDER}}},
        "/api/v1/as-run": {"get": {
            "operationId": "get_as_run", "summary": "What went on air (the journal and the "
            "on-air receipts)", "parameters": [
                {"name": "from", "in": "query", "required": False, "schema": bound},
                {"name": "to", "in": "query", "required": False, "schema": bound},
                {"name": "format", "in": "query", "required": False,
                 "schema": {"enum": ["json", "csv"]}}],
            "responses": {"200": {"description": "The entries, oldest version first",
                                  "content": {"application/json": {"schema": _ref("AsRun")},
                                              "text/csv": {"schema": {"type": "string"}}}},
                          "422": _json(_ref("Error"), "A bound that is not a time or frame:N")}}},
    }
