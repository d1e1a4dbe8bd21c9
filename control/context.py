"""What every route needs, built once by ``create_app`` and kept on ``app.state.control``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import cast

from starlette.requests import HTTPConnection

from compositor.scene.codec import Limits
from control.assets import AssetPolicy
from control.background import BackgroundTasks
from control.committer import Committer
from control.config import ControlConfig
from control.metrics import ControlMetrics
from control.program import ProgramControl
from control.scheduler import Scheduler
from control.store.base import Store
from control.thumbnails import ThumbnailCache
from control.ws import Hub

__all__ = ["ControlContext", "context_of"]


@dataclass(frozen=True, slots=True)
class ControlContext:
    config: ControlConfig
    store: Store
    program: ProgramControl
    metrics: ControlMetrics
    committer: Committer
    hub: Hub
    scheduler: Scheduler
    background: BackgroundTasks
    limits: Limits
    asset_policy: AssetPolicy
    json_max_bytes: int
    decode_slots: asyncio.Semaphore  # uploads decoded at once (in worker threads)
    thumbnails: ThumbnailCache  # shares decode_slots


def context_of(connection: HTTPConnection) -> ControlContext:
    """The app's :class:`ControlContext` (set by ``create_app``)."""
    return cast(ControlContext, connection.app.state.control)
