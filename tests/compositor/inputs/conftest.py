"""Fixtures of the live-input tests: an nginx-rtmp server, a hub with short timeouts whose
state changes are recorded, and a render probe."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest

from compositor.inputs import InputHub, InputStatus, ReaderTiming, Timeouts
from tests.rtmp_server import RtmpServer, rtmp_available

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg CLI")

# Short timeouts keep the tests quick; the defaults (5 s open, 3 s read) are for real networks.
TEST_TIMING = ReaderTiming(timeouts=Timeouts(open_s=3.0, read_s=1.5), backoff_s=0.1,
                           backoff_max_s=1.0)


class Events:
    """Every status the hub reported on a state change, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[InputStatus] = []

    def __call__(self, status: InputStatus) -> None:
        with self._lock:
            self.items.append(status)

    def states(self, input_id: str) -> list[str]:
        with self._lock:
            return [s.state for s in self.items if s.id == input_id]

    def first(self, input_id: str, state: str) -> InputStatus | None:
        with self._lock:
            return next((s for s in self.items if s.id == input_id and s.state == state), None)


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def hub(events: Events) -> Iterator[InputHub]:
    hub = InputHub(timing=TEST_TIMING)
    hub.listen(events)
    yield hub
    hub.close()


@pytest.fixture(scope="module")
def rtmp() -> Iterator[RtmpServer]:
    if not rtmp_available():
        pytest.skip("needs nginx with libnginx-mod-rtmp")
    with RtmpServer() as server:
        yield server
