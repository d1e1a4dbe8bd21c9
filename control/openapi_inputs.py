"""The live-inputs part of the OpenAPI document (CONTRACT v1.1 "Inputs"), its numbers taken
from the one place that checks them (``compositor.inputs.spec``)."""

from __future__ import annotations

from typing import Any

from compositor.inputs.spec import (
    DEFAULT_HOLD_MS,
    DEFAULT_LATENCY_MS,
    FALLBACKS,
    HOLD_MAX_MS,
    INPUT_SCHEMES,
    LATENCY_MAX_MS,
    URL_MAX_CHARS,
)
from compositor.inputs.status import INPUT_STATES
from control.openapi_refs import error_response, json_response, ref

__all__ = ["input_paths", "input_schemas"]

_INPUT_ID = {"name": "input_id", "in": "path", "required": True, "schema": {"type": "string"}}
_INT_OR_NULL = {"type": ["integer", "null"]}


def _loss() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": {
        "hold_ms": {"type": "integer", "minimum": 1, "maximum": HOLD_MAX_MS,
                    "default": DEFAULT_HOLD_MS,
                    "description": "milliseconds without a frame before the input is lost"},
        "then": {"enum": list(FALLBACKS), "default": "freeze",
                 "description": "what its layers show while lost"}}}


def input_schemas() -> dict[str, Any]:
    """``InputCreate`` (the POST body), ``InputStatus`` and ``InputList``."""
    schemes = ", ".join(f"{s}://" for s in INPUT_SCHEMES)
    return {
        "InputCreate": {"type": "object", "required": ["url"], "additionalProperties": False,
                        "properties": {
            "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$",
                   "description": "assigned when absent"},
            "url": {"type": "string", "minLength": 1, "maxLength": URL_MAX_CHARS,
                    "description": f"{schemes} (http(s): an HLS .m3u8); a host, a port for "
                                   "udp, rtp and srt: checked by the server (422 with the path)"},
            "latency_ms": {"type": "integer", "minimum": 0, "maximum": LATENCY_MAX_MS,
                           "default": DEFAULT_LATENCY_MS,
                           "description": "jitter buffer: frames are shown this long after "
                                          "the earliest they could be"},
            "loss": _loss()}},
        "InputStatus": {"type": "object", "required": [
            "id", "url", "state", "width", "height", "fps", "video_codec", "has_audio",
            "media_age_ms", "frames", "late", "reconnects", "last_error"], "properties": {
            "id": {"type": "string"},
            "url": {"type": "string", "description": "credentials, query and RTMP stream key "
                                                     "shown as ****"},
            "state": {"enum": list(INPUT_STATES)},
            "width": _INT_OR_NULL, "height": _INT_OR_NULL, "fps": {"type": ["number", "null"]},
            "video_codec": {"type": ["string", "null"]},
            "audio_codec": {"type": ["string", "null"]},
            "has_audio": {"type": "boolean"},
            "media_age_ms": {**_INT_OR_NULL, "description": "since the last picture or sound "
                                                            "arrived; null before the first"},
            "frames": {"type": "integer"},
            "late": {"type": "integer", "description": "pictures that arrived after their due "
                                                      "time"},
            "reconnects": {"type": "integer"},
            "discontinuities": {"type": "integer", "description": "timestamp jumps the "
                                                                  "timeline was re-anchored for"},
            "last_error": {"type": ["string", "null"]},
            "latency_ms": {"type": "integer"}, "loss": _loss()}},
        "InputList": {"type": "object", "properties": {
            "inputs": {"type": "array", "items": ref("InputStatus")}}},
    }


def input_paths() -> dict[str, Any]:
    """``/api/v1/inputs`` and the routes of one input."""
    missing = {"404": error_response("No such input")}
    status = json_response(ref("InputStatus"), "The input's status")
    return {
        "/api/v1/inputs": {
            "get": {"operationId": "list_inputs", "summary": "Every live input, oldest first",
                    "responses": {"200": json_response(ref("InputList"), "The inputs")}},
            "post": {"operationId": "create_input", "summary": "Define a live input (kept in "
                     "the store; read by the process that renders)",
                     "requestBody": {"required": True, "content": {
                         "application/json": {"schema": ref("InputCreate")}}},
                     "responses": {"201": {**status, "description": "Created; Location set"},
                                   "409": error_response("The id exists, or the channel has "
                                                         "the most inputs it may have"),
                                   "422": error_response("A bad field (path): an unsupported "
                                                         "scheme, latency or loss out of "
                                                         "bounds")}}},
        "/api/v1/inputs/{input_id}": {
            "parameters": [_INPUT_ID],
            "get": {"operationId": "get_input", "summary": "An input's status",
                    "responses": {"200": status, **missing}},
            "delete": {"operationId": "delete_input", "summary": "Delete an unused input",
                       "responses": {"204": {"description": "Deleted"}, **missing,
                                     "409": error_response("A layer shows it")}}},
        "/api/v1/inputs/{input_id}/thumbnail.jpg": {
            "parameters": [_INPUT_ID, {
                "name": "width", "in": "query", "required": False,
                "schema": {"type": "integer", "minimum": 16, "maximum": 1920, "default": 320}}],
            "get": {"operationId": "get_input_thumbnail", "summary": "The input's current "
                    "picture as a small JPEG",
                    "responses": {"200": {"description": "JPEG", "content": {"image/jpeg": {}}},
                                  "404": error_response("No such input, or no picture yet"),
                                  "422": error_response("Bad width")}}},
    }
