"""obsws-python (PyPI) for the tests: :class:`Events` records what its ``EventClient`` hands to
callbacks; :class:`PyObs` makes requests and waits for events through it with the same calls as
``node_client.NodeObs`` (camelCase fields), so one scenario runs with either client."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

import obsws_python as obs
from obsws_python.error import OBSSDKRequestError
from obsws_python.util import to_snake_case

from tests.polling import wait_for

__all__ = ["ALL_AND_TRANSFORMS", "EVENTS", "Events", "PyObs"]

ALL_AND_TRANSFORMS = int(obs.Subs.LOW_VOLUME) | int(obs.Subs.SCENEITEMTRANSFORMCHANGED)
EVENTS = ("CurrentProgramSceneChanged", "SceneItemEnableStateChanged",
          "SceneItemTransformChanged", "InputSettingsChanged", "StreamStateChanged",
          "CurrentPreviewSceneChanged", "StudioModeStateChanged", "InputMuteStateChanged",
          "InputVolumeChanged")


class Events:
    """The events an obsws-python ``EventClient`` hands to its callbacks, in order."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def callbacks(self) -> list[Any]:
        def make(name: str, event: str) -> Any:
            def callback(data: Any) -> None:
                with self._lock:
                    self.seen.append((event, {k: getattr(data, k) for k in data.attrs()}))
            callback.__name__ = name
            return callback

        return [make("on_" + to_snake_case(event), event) for event in EVENTS]

    def wait(self, event: str, **expected: Any) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            with self._lock:
                for name, data in self.seen:
                    if name == event and all(data.get(k) == v for k, v in expected.items()):
                        return data
            return None

        return wait_for(found, 10, f"{event} {expected}")


class PyObs:
    """A request client and an event client of obsws-python on one endpoint."""

    def __init__(self, port: int, password: str, subscriptions: int) -> None:
        self.events = Events()
        self.listener = obs.EventClient(host="127.0.0.1", port=port, password=password,
                                        subs=subscriptions, timeout=10)
        self.listener.callback.register(self.events.callbacks())
        self.client = obs.ReqClient(host="127.0.0.1", port=port, password=password, timeout=10)

    def call(self, request: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Like ``NodeObs.call``: ``{"ok": true, "response": ...}`` or ``{"ok": false, "code"}``."""
        try:
            response = self.client.send(request, data, raw=True)
        except OBSSDKRequestError as exc:
            return {"ok": False, "code": exc.code, "message": str(exc)}
        return {"ok": True, "response": response}

    def event(self, event: str, **expected: Any) -> dict[str, Any]:
        snake = {to_snake_case(k): v for k, v in expected.items()}
        return self.events.wait(event, **snake)

    def __enter__(self) -> PyObs:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.client.disconnect()
        self.listener.disconnect()
