"""The shape of a request handler: ``async def handler(endpoint, call) -> responseData | None``.

A handler reads its fields from ``call.data`` (``control.obsws.fields``), acts through the
:class:`~control.obsws.endpoint.Endpoint` and raises :class:`~control.obsws.errors.ObsRequestError`
(or any control-plane error, translated in ``control.obsws.requests``) when it fails.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from control.obsws.endpoint import Endpoint
from control.obsws.fields import Data

__all__ = ["Call", "Handler", "SessionStats"]


@dataclass(slots=True)
class SessionStats:
    """Messages a session received and sent so far (``GetStats``)."""

    incoming: int = 0
    outgoing: int = 0


@dataclass(frozen=True, slots=True)
class Call:
    """One request: its ``requestData``, the session's counters, and the batch's execution type
    (``RequestBatchExecutionType``; None outside a batch)."""

    data: Data
    stats: SessionStats = field(default_factory=SessionStats)
    batch: int | None = None


Handler = Callable[[Endpoint, Call], Awaitable[Data | None]]
