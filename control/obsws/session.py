"""One obs-websocket connection: Hello, Identify (with the password check), then requests,
batches and events, as the protocol's "Connection steps" say.

- The server speaks JSON over text frames (``obswebsocket.json``, also when no subprotocol is
  offered) or MessagePack over binary frames (``obswebsocket.msgpack``, when only that is
  offered: obs-websocket-js's default build in node); a frame of the other kind closes with 4002.
- Before ``Identified`` only one ``Identify`` may come, within ``identify_timeout_s``
  (default :data:`IDENTIFY_TIMEOUT_S`; else 4007); the
  wrong password closes with 4009 (``AuthenticationFailed``), another RPC version with 4010, any
  other message with 4007; malformed messages close with 4002-4006 as the protocol assigns.
- A request never closes the session: its failure is a ``requestStatus``.
- Outgoing messages go through one bounded queue; a client too slow to take its events is closed
  with 1013 (as the API's WebSocket does), and each send is bounded by :data:`SEND_TIMEOUT_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import msgspec
from starlette.websockets import WebSocket, WebSocketDisconnect

from control.obsws.endpoint import Endpoint
from control.obsws.errors import ObsSessionError
from control.obsws.metrics import ObsMetrics
from control.obsws.protocol import ALL_EVENTS, RPC_VERSION, Auth, CloseCode, OpCode
from control.obsws.requests import OBS_VERSION, OBS_WEBSOCKET_VERSION, Call, SessionStats, run

__all__ = ["IDENTIFY_TIMEOUT_S", "MAX_BATCH", "SEND_TIMEOUT_S", "Message", "Session"]

IDENTIFY_TIMEOUT_S = 10.0
SEND_TIMEOUT_S = 10.0
QUEUE_MAX = 256
MAX_BATCH = 1000
"""Most requests in one ``RequestBatch`` (more: closed with 4005)."""
JSON = "obswebsocket.json"
MSGPACK = "obswebsocket.msgpack"
_BATCH_TYPES = (0, 1, 2)  # SerialRealtime, SerialFrame, Parallel (run serially here)


@dataclass(frozen=True, slots=True)
class _Close:
    code: int
    reason: str


class Message:
    """One outgoing message, encoded at most once per encoding however many sessions send it."""

    def __init__(self, op: int, data: dict[str, Any]) -> None:
        self.payload = {"op": op, "d": data}
        self._text: str | None = None
        self._packed: bytes | None = None

    def text(self) -> str:
        if self._text is None:
            self._text = json.dumps(self.payload)
        return self._text

    def packed(self) -> bytes:
        if self._packed is None:
            self._packed = msgspec.msgpack.encode(self.payload)
        return self._packed


def _unsigned(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ObsSessionError(CloseCode.INVALID_DATA_FIELD_TYPE,
                              f"Your `{key}` is not an unsigned number.")
    return value


class Session:
    """Runs one accepted connection until it closes (:meth:`run`)."""

    def __init__(self, endpoint: Endpoint, websocket: WebSocket, auth: Auth | None,
                 metrics: ObsMetrics, *, identify_timeout_s: float = IDENTIFY_TIMEOUT_S) -> None:
        self.endpoint = endpoint
        self.identify_timeout_s = identify_timeout_s
        self.metrics = metrics
        self.websocket = websocket
        self.auth = auth
        self.challenge = auth.new_challenge() if auth is not None else None
        self.identified = False
        self.subscriptions = 0
        self.stats = SessionStats()
        self.packed = False  # MessagePack over binary frames (else JSON over text)
        self._queue: asyncio.Queue[Message | _Close] = asyncio.Queue(QUEUE_MAX)
        self._overflowed = False
        self._closing = False  # a close is queued behind the replies

    def offer_event(self, intent: int, message: Message) -> None:
        """Queue an encoded event when subscribed to ``intent``; never waits."""
        if not self.identified or not self.subscriptions & intent or self._overflowed:
            return
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self._overflowed = True
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(_Close(1013, "too slow to take the events"))
            self.metrics.closes.labels("1013").inc()

    async def run(self) -> None:
        offered = self.websocket.scope.get("subprotocols") or []
        self.packed = MSGPACK in offered and JSON not in offered
        await self.websocket.accept(MSGPACK if self.packed else JSON if JSON in offered else None)
        await self._send(self._hello())
        sender = asyncio.create_task(self._sender(), name="obsws-sender")
        receiver = asyncio.create_task(self._receiver(), name="obsws-receiver")
        try:
            await asyncio.wait((sender, receiver), return_when=asyncio.FIRST_COMPLETED)
            if self._closing and not sender.done():  # flush what is queued, then close
                await asyncio.wait((sender,), timeout=SEND_TIMEOUT_S)
        finally:
            for task in (sender, receiver):
                task.cancel()
            for task in (sender, receiver):
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, OSError,
                                         RuntimeError):
                    await task

    def _hello(self) -> Message:
        data: dict[str, Any] = {"obsStudioVersion": OBS_VERSION,
                                "obsWebSocketVersion": OBS_WEBSOCKET_VERSION,
                                "rpcVersion": RPC_VERSION}
        if self.auth is not None:
            data["authentication"] = {"challenge": self.challenge, "salt": self.auth.salt}
        return Message(OpCode.HELLO, data)

    async def _send(self, message: Message) -> None:
        sending = self.websocket.send_bytes(message.packed()) if self.packed \
            else self.websocket.send_text(message.text())
        await asyncio.wait_for(sending, SEND_TIMEOUT_S)
        self.stats.outgoing += 1

    async def _sender(self) -> None:
        while True:
            item = await self._queue.get()
            if isinstance(item, _Close):
                await asyncio.wait_for(self.websocket.close(item.code, item.reason),
                                       SEND_TIMEOUT_S)
                return
            await self._send(item)

    async def _reply(self, op: OpCode, data: dict[str, Any]) -> None:
        await self._queue.put(Message(op, data))

    async def _receiver(self) -> None:
        try:
            while True:
                timeout = None if self.identified else self.identify_timeout_s
                try:
                    message = await asyncio.wait_for(self.websocket.receive(), timeout)
                except TimeoutError:
                    raise ObsSessionError(CloseCode.NOT_IDENTIFIED, "no Identify within "
                                          f"{self.identify_timeout_s:g} s") from None
                if message["type"] == "websocket.disconnect":
                    return
                self.stats.incoming += 1
                await self._handle(message)
        except ObsSessionError as exc:
            self._closing = True
            self.metrics.closes.labels(str(exc.code)).inc()
            await self._queue.put(_Close(exc.code, exc.reason))

    def _decode(self, message: MutableMapping[str, Any]) -> tuple[int, dict[str, Any]]:
        frame = message.get("bytes") if self.packed else message.get("text")
        if frame is None:
            kind = "text" if self.packed else "binary"
            raise ObsSessionError(CloseCode.MESSAGE_DECODE_ERROR, f"{kind} frames are not "
                                  f"accepted on {MSGPACK if self.packed else JSON}")
        try:
            payload = msgspec.msgpack.decode(frame) if self.packed else json.loads(frame)
        except (ValueError, msgspec.DecodeError):
            raise ObsSessionError(CloseCode.MESSAGE_DECODE_ERROR,
                                  "Unable to decode the message.") from None
        if not isinstance(payload, dict):
            raise ObsSessionError(CloseCode.MESSAGE_DECODE_ERROR, "A message must be an object.")
        if not self.identified and "request-type" in payload:
            raise ObsSessionError(CloseCode.UNSUPPORTED_RPC_VERSION, "obs-websocket 4 "
                                  "requests are not supported: use a version 5 client")
        op = payload.get("op")
        if isinstance(op, bool) or not isinstance(op, int):
            raise ObsSessionError(CloseCode.UNKNOWN_OP_CODE, "Your request is missing an `op`.")
        data = payload.get("d")
        if data is None:
            raise ObsSessionError(CloseCode.MISSING_DATA_FIELD,
                                  "Your payload is missing data (`d`).")
        if not isinstance(data, dict):
            raise ObsSessionError(CloseCode.INVALID_DATA_FIELD_TYPE,
                                  "Your payload's data (`d`) is not an object.")
        return op, data

    async def _handle(self, message: MutableMapping[str, Any]) -> None:
        op, data = self._decode(message)
        if not self.identified and op != OpCode.IDENTIFY:
            raise ObsSessionError(CloseCode.NOT_IDENTIFIED, "You attempted to send a "
                                  "non-Identify message while not identified.")
        if op == OpCode.IDENTIFY:
            await self._identify(data)
        elif op == OpCode.REIDENTIFY:
            self._set_subscriptions(data)
            await self._reply(OpCode.IDENTIFIED, {"negotiatedRpcVersion": RPC_VERSION})
        elif op == OpCode.REQUEST:
            await self._request(data)
        elif op == OpCode.REQUEST_BATCH:
            await self._batch(data)
        else:
            raise ObsSessionError(CloseCode.UNKNOWN_OP_CODE, f"Unknown OpCode: {op}")

    def _set_subscriptions(self, data: dict[str, Any]) -> None:
        value = _unsigned(data, "eventSubscriptions")
        self.subscriptions = ALL_EVENTS if value is None else value

    async def _identify(self, data: dict[str, Any]) -> None:
        if self.identified:
            raise ObsSessionError(CloseCode.ALREADY_IDENTIFIED,
                                  "You are already Identified with the obs-websocket server.")
        if self.auth is not None:
            answer = data.get("authentication")
            if not isinstance(answer, str) or self.challenge is None \
                    or not self.auth.check(self.challenge, answer):
                raise ObsSessionError(CloseCode.AUTHENTICATION_FAILED, "Authentication failed.")
        version = _unsigned(data, "rpcVersion")
        if version is None:
            raise ObsSessionError(CloseCode.MISSING_DATA_FIELD,
                                  "Your payload's data is missing an `rpcVersion`.")
        if version != RPC_VERSION:
            raise ObsSessionError(CloseCode.UNSUPPORTED_RPC_VERSION,
                                  "Your requested RPC version is not supported by this server.")
        self._set_subscriptions(data)
        self.identified = True
        await self._reply(OpCode.IDENTIFIED, {"negotiatedRpcVersion": RPC_VERSION})

    async def _result(self, request: dict[str, Any], batch: int | None) -> dict[str, Any]:
        request_type = request.get("requestType")
        result: dict[str, Any] = {"requestType": request_type}
        if request.get("requestId") is not None:
            result["requestId"] = request["requestId"]
        request_data = request.get("requestData")
        if not isinstance(request_type, str):
            result["requestStatus"] = {"result": False, "code": 203,
                                       "comment": "Your request is missing a `requestType`."}
            return result
        if request_data is not None and not isinstance(request_data, dict):
            result["requestStatus"] = {"result": False, "code": 301,
                                       "comment": "Your `requestData` is not an object."}
            return result
        call = Call(request_data or {}, self.stats, batch)
        code, comment, response = await run(self.endpoint, request_type, call)
        self.metrics.request(request_type, code)
        status: dict[str, Any] = {"result": code == 100, "code": code}
        if comment:
            status["comment"] = comment
        result["requestStatus"] = status
        if response is not None:
            result["responseData"] = response
        return result

    async def _request(self, data: dict[str, Any]) -> None:
        if "requestId" not in data:
            raise ObsSessionError(CloseCode.MISSING_DATA_FIELD,
                                  "Your payload data is missing a `requestId`.")
        if "requestType" not in data:
            raise ObsSessionError(CloseCode.MISSING_DATA_FIELD,
                                  "Your payload's data is missing an `requestType`.")
        if not isinstance(data["requestType"], str):
            raise ObsSessionError(CloseCode.INVALID_DATA_FIELD_TYPE,
                                  "Your `requestType` is not a string.")
        await self._reply(OpCode.REQUEST_RESPONSE, await self._result(data, None))

    async def _batch(self, data: dict[str, Any]) -> None:
        if "requestId" not in data:
            raise ObsSessionError(CloseCode.MISSING_DATA_FIELD,
                                  "Your payload data is missing a `requestId`.")
        execution = _unsigned(data, "executionType")
        execution = 0 if execution is None else execution
        if execution not in _BATCH_TYPES:
            raise ObsSessionError(CloseCode.INVALID_DATA_FIELD_VALUE,
                                  "Your `executionType` has an invalid value.")
        halt = data.get("haltOnFailure", False)
        if halt is None:
            halt = False
        if not isinstance(halt, bool):
            raise ObsSessionError(CloseCode.INVALID_DATA_FIELD_TYPE,
                                  "Your `haltOnFailure` is not a boolean.")
        requests = data.get("requests")
        if requests is None:
            raise ObsSessionError(CloseCode.MISSING_DATA_FIELD,
                                  "Your payload data is missing a `requests`.")
        if not isinstance(requests, list):
            raise ObsSessionError(CloseCode.INVALID_DATA_FIELD_TYPE,
                                  "Your `requests` is not an array.")
        if len(requests) > MAX_BATCH:
            raise ObsSessionError(CloseCode.INVALID_DATA_FIELD_VALUE,
                                  f"A batch may hold at most {MAX_BATCH} requests.")
        results = []
        for request in requests:
            result = await self._result(request if isinstance(request, dict) else {}, execution)
            results.append(result)
            if halt and not result["requestStatus"]["result"]:
                break
        await self._reply(OpCode.REQUEST_BATCH_RESPONSE,
                          {"requestId": data["requestId"], "results": results})
