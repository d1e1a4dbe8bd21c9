"""The request table (``requestType`` -> handler), ``GetVersion``, and :func:`run`, which runs
one request and turns whatever it raised into a ``requestStatus``.

Errors are translated here, once: the protocol's own (:class:`ObsRequestError`); scene errors (a
bad value: 400 ``InvalidRequestField``, the comment naming the field); a missing layer or cue
(600); a stale cue (its ``if_version``: 604); a full quota (603); a store outage (207
``NotReady``: try again); the program's refusals (604 where nothing renders, 400 for a bad URL,
701 otherwise). A request type not in the table is 204 ``UnknownRequestType``. An unexpected
error is logged and answered 702; the session goes on.
"""

from __future__ import annotations

import importlib.metadata
import logging
import platform

from compositor.errors import LayerNotFoundError, SceneError
from control.errors import (
    ControlError,
    ProgramArgumentError,
    ProgramError,
    ProgramUnavailableError,
    QuotaExceededError,
    RequestConflictError,
    ResourceNotFoundError,
    StoreUnavailableError,
    VersionConflictError,
)
from control.obsws.endpoint import Endpoint
from control.obsws.errors import ObsRequestError
from control.obsws.fields import Data
from control.obsws.protocol import RPC_VERSION, Status
from control.obsws.requests import audio, general, inputs, sceneitems, scenes, stream, studio
from control.obsws.requests.base import Call, Handler, SessionStats

__all__ = ["OBS_VERSION", "OBS_WEBSOCKET_VERSION", "REQUESTS", "Call", "Outcome",
           "SessionStats", "run"]

_log = logging.getLogger(__name__)

OBS_VERSION = "30.2.0"
"""The OBS Studio version whose obs-websocket behaviour this endpoint follows."""
OBS_WEBSOCKET_VERSION = "5.5.0"
"""The obs-websocket version whose protocol this endpoint speaks (RPC version 1)."""

try:
    _VERSION = importlib.metadata.version("compositor")
except importlib.metadata.PackageNotFoundError:  # run from a checkout that is not installed
    _VERSION = "unknown"

Outcome = tuple[int, str, Data | None]
"""(``requestStatus.code``, comment, ``responseData``)."""


async def get_version(ep: Endpoint, call: Call) -> Data:
    return {
        "obsVersion": OBS_VERSION,
        "obsWebSocketVersion": OBS_WEBSOCKET_VERSION,
        "rpcVersion": RPC_VERSION,
        "availableRequests": sorted(REQUESTS),
        "supportedImageFormats": [],
        "platform": platform.system().lower(),
        "platformDescription": f"compositor {_VERSION} ({platform.platform(terse=True)})",
    }


REQUESTS: dict[str, Handler] = {"GetVersion": get_version}
for _module in (general, scenes, sceneitems, inputs, audio, stream, studio):
    REQUESTS.update(_module.HANDLERS)


def _scene_comment(exc: SceneError) -> str:
    path = exc.path
    for prefix in ("ops[0].patch.", "ops[0]."):
        path = path.removeprefix(prefix)
    return f"{path}: {exc.reason}" if path else exc.reason


def _translate(exc: ControlError | SceneError) -> tuple[int, str]:
    if isinstance(exc, ObsRequestError):
        return exc.status, exc.comment
    if isinstance(exc, LayerNotFoundError):
        return Status.RESOURCE_NOT_FOUND, _scene_comment(exc)
    if isinstance(exc, SceneError):
        return Status.INVALID_REQUEST_FIELD, _scene_comment(exc)
    if isinstance(exc, ResourceNotFoundError):
        return Status.RESOURCE_NOT_FOUND, str(exc)
    if isinstance(exc, VersionConflictError | RequestConflictError):
        return Status.INVALID_RESOURCE_STATE, str(exc)
    if isinstance(exc, StoreUnavailableError):
        return Status.NOT_READY, f"the store cannot be reached now: {exc}"
    if isinstance(exc, QuotaExceededError):
        return Status.NOT_ENOUGH_RESOURCES, str(exc)
    if isinstance(exc, ProgramUnavailableError):
        return Status.INVALID_RESOURCE_STATE, str(exc)
    if isinstance(exc, ProgramArgumentError):
        return Status.INVALID_REQUEST_FIELD, str(exc)
    if isinstance(exc, ProgramError):
        return Status.RESOURCE_ACTION_FAILED, str(exc)
    return Status.REQUEST_PROCESSING_FAILED, str(exc)


async def run(ep: Endpoint, request_type: str, call: Call) -> Outcome:
    """Run one request; never raises (but for cancellation)."""
    handler = REQUESTS.get(request_type)
    if handler is None:
        return Status.UNKNOWN_REQUEST_TYPE, "Your request type is not valid.", None
    try:
        data = await handler(ep, call)
    except (ControlError, SceneError) as exc:
        status, comment = _translate(exc)
        return status, comment, None
    except Exception:  # a bug must not drop the controller's connection: log it, answer 702
        _log.exception("obs-websocket request %s failed", request_type)
        return Status.REQUEST_PROCESSING_FAILED, "the request failed on the server (logged)", None
    return Status.SUCCESS, "", data
