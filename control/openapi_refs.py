"""Building blocks of the OpenAPI document (``control.openapi`` and its parts)."""

from __future__ import annotations

from typing import Any

__all__ = ["SCHEMAS", "error_response", "json_response", "ref"]

SCHEMAS = "#/components/schemas/"


def ref(name: str) -> dict[str, str]:
    """A reference to the component schema ``name``."""
    return {"$ref": SCHEMAS + name}


def json_response(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A response of JSON of ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_response(description: str) -> dict[str, Any]:
    """A response of the error body (``{"error": {"code", "message", "path"}}``)."""
    return json_response(ref("Error"), description)
