"""The WebSocket hub over real sockets: a client that stops reading is closed with 1013 while
the others keep receiving every change."""

from __future__ import annotations

import base64
import json
import os
import random
import socket
import string
import struct
import threading
import time

import pytest
from prometheus_client import CollectorRegistry
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from compositor.scene import AddLayer, Scene, UpdateLayer
from compositor.scene.codec import decode_layer
from control.app import create_app
from control.service.settings import Settings
from control.store.embedded import EmbeddedStore
from tests.control.api.helpers import FakeProgram
from tests.control.api.live import LiveServer

COMMITS = 200
PAUSE_S = 8.0  # longer than the close used to wait (5 s); CLOSE_TIMEOUT_S is 30 s


def _noise(n: int) -> str:
    # Incompressible text, so no buffer along the way can swallow the backlog cheaply.
    return "".join(random.choices(string.ascii_letters + string.digits, k=n))


@pytest.mark.slow
def test_slow_consumer_is_closed_with_1013_and_others_keep_up() -> None:
    store = EmbeddedStore(None)
    app = create_app(Settings().control_config(), store, FakeProgram(),
                     registry=CollectorRegistry(),
                     initial_scene=Scene(width=320, height=180), owns_store=True,
                     ws_queue_max=16)
    with LiveServer(app, send_buffer_bytes=8192) as server:
        slow = _RawWebSocket(server.port)  # handshakes, then reads nothing until told to
        with connect(f"{server.ws_url}/api/v1/ws", compression=None) as fast:
            received = _exercise(server, store, fast)
            assert received == list(range(0, COMMITS + 2)), "the fast client missed changes"
            time.sleep(PAUSE_S)  # the slow client went quiet for a while, then reads again
            assert slow.close_code(deadline_s=20) == 1013  # it still learns why (not 1006)
        text = server.call(_metrics_text(app))
        assert "compositor_ws_slow_disconnects_total 1.0" in text


class _RawWebSocket:
    """A WebSocket client on a bare socket with a tiny receive buffer, so it can stall."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def close_code(self, deadline_s: float) -> int | None:
        """Read everything until the server's close frame; its code (None: no close frame)."""
        self.sock.settimeout(deadline_s)
        data = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                code = _close_code(data)
                if code is not None:
                    return code
        finally:
            self.sock.close()
        return _close_code(data)


def _close_code(data: bytes) -> int | None:
    """Walk unmasked server frames; the code of the first close frame, if complete."""
    at = 0
    while at + 2 <= len(data):
        opcode, length = data[at] & 0x0F, data[at + 1] & 0x7F
        at += 2
        if length == 126:
            length, at = struct.unpack(">H", data[at:at + 2])[0], at + 2
        elif length == 127:
            length, at = struct.unpack(">Q", data[at:at + 8])[0], at + 8
        if at + length > len(data):
            return None
        if opcode == 0x8:
            return int(struct.unpack(">H", data[at:at + 2])[0])
        at += length
    return None


async def _metrics_text(app) -> str:
    from prometheus_client import generate_latest
    return generate_latest(app.state.control.metrics.registry).decode()


def _exercise(server: LiveServer, store: EmbeddedStore, fast) -> list[int]:
    """Commit COMMITS big changes while a thread reads ``fast``; the versions it saw."""
    received: list[int] = []

    def read_fast() -> None:
        try:
            while True:
                message = json.loads(fast.recv(timeout=20))
                received.append(message["version"])
                if message["version"] >= COMMITS + 1:
                    return
        except (ConnectionClosed, TimeoutError):
            return

    reader = threading.Thread(target=read_fast)
    reader.start()
    layer = decode_layer({"id": "t", "kind": "text",
                          "content": {"text": "x", "max_width_px": 1000}})
    server.call(store.commit([AddLayer(layer)]))
    for _ in range(COMMITS):
        server.call(store.commit([UpdateLayer("t", {"content": {"text": _noise(3000)}})]))
    reader.join(30)
    return received
