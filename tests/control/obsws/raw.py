"""A bare obs-websocket client over the ``websockets`` library, for protocol-level tests (close
codes, malformed messages, batches): it speaks JSON and computes the authentication string as
the protocol document describes, with nothing of the server's code."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

__all__ = ["RawClient", "auth_string"]


def auth_string(password: str, salt: str, challenge: str) -> str:
    secret = base64.b64encode(hashlib.sha256((password + salt).encode()).digest()).decode()
    return base64.b64encode(hashlib.sha256((secret + challenge).encode()).digest()).decode()


class RawClient:
    def __init__(self, url: str, *, subprotocols: list[str] | None = None) -> None:
        offered = [Subprotocol(p) for p in subprotocols or ["obswebsocket.json"]]
        self.ws: ClientConnection = connect(url, subprotocols=offered,
                                            open_timeout=10).__enter__()
        self.hello: dict[str, Any] = self.recv()
        self._ids = itertools.count(1)

    def send(self, op: int, data: Any) -> None:
        self.ws.send(json.dumps({"op": op, "d": data}))

    def recv(self, timeout_s: float = 10.0) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout_s))
        return message

    def identify(self, password: str | None, subscriptions: int | None = None,
                 rpc_version: int = 1) -> dict[str, Any]:
        data: dict[str, Any] = {"rpcVersion": rpc_version}
        auth = self.hello["d"].get("authentication")
        if auth is not None and password is not None:
            data["authentication"] = auth_string(password, auth["salt"], auth["challenge"])
        if subscriptions is not None:
            data["eventSubscriptions"] = subscriptions
        self.send(1, data)
        return self.recv()

    def request(self, request_type: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """The RequestResponse's ``d`` (events that come first are skipped)."""
        request_id = f"r{next(self._ids)}"
        payload: dict[str, Any] = {"requestType": request_type, "requestId": request_id}
        if data is not None:
            payload["requestData"] = data
        self.send(6, payload)
        while True:
            message = self.recv()
            if message["op"] == 7 and message["d"]["requestId"] == request_id:
                result: dict[str, Any] = message["d"]
                return result

    def closed_with(self, timeout_s: float = 10.0) -> int | None:
        """The close code the server ends the connection with (messages before it skipped)."""
        try:
            while True:
                self.ws.recv(timeout=timeout_s)
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd is not None else None

    def close(self) -> None:
        self.ws.close()
