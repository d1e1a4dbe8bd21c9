"""What the control plane needs to know of the service's settings, as one typed value.

The service (:mod:`control.service.settings`) reads flags and the environment once and builds a
:class:`ControlConfig` for :func:`control.app.create_app`; nothing under ``control/`` outside
``control/service/`` reads the settings themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compositor.scene.codec import DEFAULT_LIMITS, Limits
from control.assets import AssetPolicy
from control.request_guard import RequestPolicy

__all__ = ["ControlConfig"]


@dataclass(frozen=True, slots=True)
class ControlConfig:
    """``api_token``: the bearer token every request needs (None: no auth, loopback only).
    ``limits``: the bounds commits are checked against. ``store_backend``: the label of the
    ``compositor_store_*`` metrics (``embedded`` or ``redis``). ``requests``: which hosts and
    web origins requests may come from (``control.request_guard``; default: any). ``assets``:
    upload limits and the store's asset quotas; ``max_ws_clients``: WebSocket clients at once
    (more are refused with 1013); ``max_scheduled``: commits the schedule may hold."""

    api_token: str | None = None
    limits: Limits = field(default=DEFAULT_LIMITS)
    store_backend: str = "embedded"
    requests: RequestPolicy = field(default=RequestPolicy())
    assets: AssetPolicy = field(default=AssetPolicy())
    max_ws_clients: int = 1000
    max_scheduled: int = 1000
