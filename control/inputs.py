"""The narrow interface between the control plane and the live-input readers.

The control plane keeps input definitions in the store; whatever reads them (the render side,
wired by ``control.service.inputs``) answers through :class:`InputControl`, installed on the app
with :func:`install_inputs`. Without one (a ``--no-render`` replica, tests of the API alone)
:class:`StoredInputs` answers from the definitions only: every input ``connecting``, with a
``last_error`` saying that this process does not read inputs.

WebSocket clients hear of every state change as ``{"type": "input.state", "input": {status}}``
(:func:`broadcast_input_state`, called on the event loop).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from compositor.inputs.spec import InputSpec
from compositor.inputs.status import InputStatus

__all__ = [
    "InputControl",
    "StoredInputs",
    "broadcast_input_state",
    "inputs_of",
    "install_inputs",
    "state_message",
]

NOT_READ_HERE = "this process does not read inputs (--no-render): ask the one that renders"


class InputControl(Protocol):
    """What the API may ask of the input readers; every method returns promptly.

    - :meth:`status` is the status JSON of the input ``spec`` defines (CONTRACT v1.1).
    - :meth:`thumbnail_jpeg` is the input's current picture as a JPEG ``width`` px wide, None
      when it has none (blocking: call it in a worker thread).
    - :meth:`changed` says the store's inputs changed (this process created or deleted one):
      the readers follow at once rather than at their next look at the store.
    """

    def status(self, spec: InputSpec) -> dict[str, Any]: ...

    def thumbnail_jpeg(self, input_id: str, width: int) -> bytes | None: ...

    async def changed(self) -> None: ...


class StoredInputs:
    """The inputs of a process that reads none: statuses from the definitions only."""

    def status(self, spec: InputSpec) -> dict[str, Any]:
        return InputStatus.waiting(spec, NOT_READ_HERE).to_json()

    def thumbnail_jpeg(self, input_id: str, width: int) -> bytes | None:
        return None

    async def changed(self) -> None:
        return None


def install_inputs(app: Starlette, inputs: InputControl) -> None:
    """Make ``inputs`` answer the app's input routes (before it serves)."""
    app.state.inputs = inputs


def inputs_of(connection: HTTPConnection) -> InputControl:
    """The app's :class:`InputControl` (:class:`StoredInputs` when none was installed)."""
    inputs = getattr(connection.app.state, "inputs", None)
    return inputs if inputs is not None else StoredInputs()


def state_message(status: dict[str, Any]) -> str:
    return json.dumps({"type": "input.state", "input": status}, separators=(",", ":"))


def broadcast_input_state(app: Starlette, status: dict[str, Any]) -> None:
    """Offer ``input.state`` to every WebSocket client of ``app`` (event loop only; a client
    that cannot keep up is closed as for any message)."""
    hub = app.state.control.hub
    message = state_message(status)
    for client in list(hub.clients):
        client.offer(message)
