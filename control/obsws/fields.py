"""Reading ``requestData`` fields with the protocol's statuses: a missing field is 300
(``MissingRequestField``), a wrong type 401, a number out of range 402, an empty string 403.
The comment names the field, as obs-websocket's do."""

from __future__ import annotations

import math
from typing import Any

from control.obsws.errors import ObsRequestError
from control.obsws.protocol import Status

__all__ = ["Data", "boolean", "number", "obj", "optional_text", "text"]

Data = dict[str, Any]
"""A request's ``requestData`` (an empty dict when the client sent none)."""


def _missing(name: str) -> ObsRequestError:
    return ObsRequestError(Status.MISSING_REQUEST_FIELD, f"Your request is missing the "
                           f"`{name}` field.")


def _type(name: str, kind: str) -> ObsRequestError:
    return ObsRequestError(Status.INVALID_REQUEST_FIELD_TYPE,
                           f"The field value of `{name}` must be {kind}.")


def optional_text(data: Data, name: str) -> str | None:
    """A string field, None when absent (or null); 401 for another type, 403 when empty."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type(name, "a string")
    if not value:
        raise ObsRequestError(Status.REQUEST_FIELD_EMPTY, f"The field value of `{name}` may "
                              "not be empty.")
    return value


def text(data: Data, name: str) -> str:
    """A required, non-empty string field."""
    value = optional_text(data, name)
    if value is None:
        raise _missing(name)
    return value


def number(data: Data, name: str, lo: float = -math.inf, hi: float = math.inf, *,
           required: bool = True) -> float | None:
    """A finite number field within [lo, hi] (None when absent and not required)."""
    value = data.get(name)
    if value is None:
        if required:
            raise _missing(name)
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _type(name, "a number")
    if not lo <= value <= hi:
        raise ObsRequestError(Status.REQUEST_FIELD_OUT_OF_RANGE,
                              f"The field value of `{name}` must be between {lo:g} and {hi:g}.")
    return float(value)


def boolean(data: Data, name: str) -> bool:
    """A required boolean field."""
    value = data.get(name)
    if value is None:
        raise _missing(name)
    if not isinstance(value, bool):
        raise _type(name, "a boolean")
    return value


def obj(data: Data, name: str, *, required: bool = True) -> Data | None:
    """An object field (None when absent and not required)."""
    value = data.get(name)
    if value is None:
        if required:
            raise _missing(name)
        return None
    if not isinstance(value, dict):
        raise _type(name, "an object")
    return value
