"""A real uvicorn server on a loopback port, in a thread with its own event loop.

For tests that need real sockets (slow WebSocket consumers, concurrent clients). The app's store
lives on the server's loop; :meth:`LiveServer.call` runs a coroutine there and waits for it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import Future
from types import TracebackType
from typing import Any, TypeVar

import uvicorn
from starlette.applications import Starlette

from tests.servers import free_port

__all__ = ["LiveServer"]

T = TypeVar("T")


class LiveServer:
    """``with LiveServer(app) as server:`` → ``server.url`` (http://127.0.0.1:PORT)."""

    def __init__(self, app: Starlette, *, deadline_s: float = 10.0,
                 send_buffer_bytes: int | None = None) -> None:
        self.app = app
        self.port = free_port()
        # Accepted sockets inherit SO_SNDBUF from the listener: a small fixed one (no
        # autotuning) lets a test stall a client with little data.
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if send_buffer_bytes is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer_bytes)
        self.sock.bind(("127.0.0.1", self.port))
        self.deadline_s = deadline_s
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None,
                                access_log=False, ws_per_message_deflate=False,
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="live-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self.loop = loop
        try:
            loop.run_until_complete(self.server.serve(sockets=[self.sock]))
        finally:
            loop.close()

    def call(self, coro: Coroutine[Any, Any, T], timeout_s: float = 10.0) -> T:
        assert self.loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout_s)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + self.deadline_s
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.server.should_exit = True
        self._thread.join(self.deadline_s)
        self.sock.close()
