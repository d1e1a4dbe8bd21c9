"""The obs-websocket endpoint in ``compositor serve``: its own uvicorn server on
``--obs-websocket-port`` (same host as the API), over the API app's control plane, started once
the API app is up and stopped with it."""

from __future__ import annotations

import asyncio

import uvicorn
from starlette.applications import Starlette

from control.app import JSON_MAX_BYTES
from control.context import ControlContext
from control.obsws import ObsSettings, create_obs_app
from control.obsws.cues import StoreCues
from control.service.settings import Settings

__all__ = ["obs_config", "obs_refusal", "serve_together"]


def obs_refusal(settings: Settings) -> str | None:
    """Why the endpoint may not be served as configured (None: it may, or it is off)."""
    if settings.obs_websocket_port is None or settings.obs_websocket_password is not None:
        return None
    if settings.api_token is not None:
        return ("refusing to serve obs-websocket without a password while the API needs a "
                "token: set --obs-websocket-password (COMPOSITOR_OBS_WEBSOCKET_PASSWORD)")
    if not settings.is_loopback and not settings.insecure:
        return (f"refusing to serve obs-websocket on {settings.host} without a password: set "
                "--obs-websocket-password, bind 127.0.0.1, or pass --insecure")
    return None


def obs_config(settings: Settings, app: Starlette) -> uvicorn.Config | None:
    """The endpoint's server config over ``app``'s control plane (None when it is off)."""
    if settings.obs_websocket_port is None:
        return None
    ctx: ControlContext = app.state.control
    obs_app = create_obs_app(ctx, StoreCues(ctx), ObsSettings(
        password=settings.obs_websocket_password, data_dir=str(settings.data_dir)))
    return uvicorn.Config(
        obs_app, host=settings.host, port=settings.obs_websocket_port, log_config=None,
        access_log=False, ws_per_message_deflate=False, ws_max_size=JSON_MAX_BYTES,
        lifespan="on", timeout_graceful_shutdown=3)


async def serve_together(main: uvicorn.Server, obs: uvicorn.Server | None) -> None:
    """Serve ``main``; once it has started, ``obs`` beside it. Either one ending ends both,
    ``obs`` first (it uses ``main``'s store and hub): to stop, set ``obs.should_exit`` (or
    ``main``'s when ``obs`` is None)."""
    main_task = asyncio.create_task(main.serve(), name="api-server")
    if obs is None:
        await main_task
        return
    while not main.started and not main_task.done():
        await asyncio.sleep(0.05)
    if main_task.done():
        await main_task
        return
    obs_task = asyncio.create_task(obs.serve(), name="obs-websocket-server")
    await asyncio.wait((main_task, obs_task), return_when=asyncio.FIRST_COMPLETED)
    obs.should_exit = True
    await asyncio.wait((obs_task,))
    main.should_exit = True
    await asyncio.gather(main_task, obs_task)
