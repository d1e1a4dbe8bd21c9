"""The API app and the obs-websocket app served by real uvicorn servers on loopback ports, in a
thread with its own event loop, as ``compositor serve`` runs them (``serve_together``).

The API app runs over the embedded store (in memory) and a program given by the test (the API
tests' ``FakeProgram``: state in memory). HTTP goes through ``http_json``; obs-websocket clients
connect to :attr:`ObsLive.obs_url`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import uvicorn
from prometheus_client import CollectorRegistry

from compositor.scene import Scene
from control.app import create_app
from control.obsws import ObsSettings, create_obs_app
from control.obsws.cues import StoreCues
from control.service.obsws import serve_together
from control.service.settings import Settings
from control.store.base import Store
from control.store.embedded import EmbeddedStore
from tests.e2e.serve import http_json
from tests.servers import free_port

__all__ = ["PASSWORD", "ObsLive"]

PASSWORD = "correct horse battery staple"
T = TypeVar("T")


class ObsLive:
    """``with ObsLive(tmp_path, program) as live:`` → ``live.url``, ``live.obs_url``."""

    def __init__(self, folder: Path, program: Any, *, password: str | None = PASSWORD,
                 store: Store | None = None, max_sessions: int = 100) -> None:
        """``store``: the store (default: an embedded one in memory); closed with the app."""
        settings = Settings(data_dir=folder / "data")
        self.port, self.obs_port = free_port(), free_port()
        self.program = program
        self.app = create_app(settings.control_config(), store or EmbeddedStore(None), program,
                              registry=CollectorRegistry(), owns_store=True,
                              initial_scene=Scene(width=320, height=180))
        ctx = self.app.state.control
        obs_app = create_obs_app(ctx, StoreCues(ctx), ObsSettings(
            password=password, max_sessions=max_sessions, identify_timeout_s=2.0))
        self.obs = obs_app.state.obs
        self.servers = [uvicorn.Server(uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, access_log=False,
            ws_per_message_deflate=False, lifespan="on"))
            for app, port in ((self.app, self.port), (obs_app, self.obs_port))]
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="obsws-live", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def obs_url(self) -> str:
        return f"ws://127.0.0.1:{self.obs_port}"

    def http(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return http_json(method, self.url + path, body)

    def _run(self) -> None:  # (off the main thread uvicorn handles no signals)
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            await serve_together(*self.servers)

        asyncio.run(main())

    def call(self, coro: Coroutine[Any, Any, T], timeout_s: float = 10.0) -> T:
        """Run ``coro`` on the servers' loop (where the store lives) and wait for it."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout_s)

    def __enter__(self) -> ObsLive:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not all(server.started for server in self.servers):
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the servers did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.servers[1].should_exit = True  # serve_together stops the API server after it
        self._thread.join(15)
