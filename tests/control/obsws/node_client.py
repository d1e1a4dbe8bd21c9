"""obs-websocket-js (npm), run by node, as a client the tests drive line by line
(``js/client.mjs``): :meth:`NodeObs.call` makes a request through it, :meth:`NodeObs.event`
waits for an event it received. ``scripts/bootstrap`` installs it (``npm ci``)."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.polling import wait_for

__all__ = ["JS_DIR", "NodeObs"]

JS_DIR = Path(__file__).resolve().parent / "js"


class NodeObs:
    """``with NodeObs(url, password, subscriptions) as client:``"""

    def __init__(self, url: str, password: str, subscriptions: int,
                 encoding: str = "msgpack") -> None:
        """``encoding``: ``msgpack`` (obs-websocket-js's default build in node) or ``json``."""
        node = shutil.which("node")
        assert node is not None, "node is missing: run scripts/bootstrap"
        assert (JS_DIR / "node_modules" / "obs-websocket-js").is_dir(), \
            "obs-websocket-js is missing: run scripts/bootstrap (npm ci)"
        self.proc = subprocess.Popen(
            [node, str(JS_DIR / "client.mjs"), url, password, str(subscriptions), encoding],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            cwd=JS_DIR)
        self.lines: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                message = {"output": line.rstrip()}  # node's own complaints
            with self._lock:
                self.lines.append(message)

    def find(self, **expected: Any) -> dict[str, Any] | None:
        with self._lock:
            for message in self.lines:
                if all(message.get(k) == v for k, v in expected.items()):
                    return message
        return None

    def wait(self, what: str, **expected: Any) -> dict[str, Any]:
        return wait_for(lambda: self.find(**expected), 15, f"{what} from obs-websocket-js "
                        f"(got {self.lines[-5:]})")

    def connected(self) -> dict[str, Any]:
        return wait_for(lambda: self.find(connected=1) or self.find_key("connectError"), 15,
                        "obs-websocket-js to connect")

    def find_key(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            return next((m for m in self.lines if key in m), None)

    def _send(self, command: dict[str, Any]) -> dict[str, Any]:
        command["id"] = next(self._ids)
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self.wait(f"the reply to {command}", id=command["id"])

    def call(self, request: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """The reply line: ``{"ok": true, "response": ...}`` or ``{"ok": false, "code": ...}``."""
        return self._send({"call": request, "data": data})

    def batch(self, requests: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
        return self._send({"batch": requests, "options": options})

    def event(self, event: str, **expected: Any) -> dict[str, Any]:
        """The data of the first ``event`` received whose fields include ``expected``."""
        def found() -> dict[str, Any] | None:
            with self._lock:
                for message in self.lines:
                    data = message.get("data") or {}
                    if message.get("event") == event and all(
                            data.get(k) == v for k, v in expected.items()):
                        return dict(data)
            return None

        return wait_for(found, 15, f"{event} {expected} (got {self.lines[-5:]})")

    def __enter__(self) -> NodeObs:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self._reader.join(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
