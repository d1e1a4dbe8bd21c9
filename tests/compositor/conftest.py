"""Engine test fixtures shared by several packages: a real nginx-rtmp server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.rtmp_server import RtmpServer, rtmp_available


@pytest.fixture
def rtmp() -> Iterator[RtmpServer]:
    """A fresh nginx-rtmp on loopback (tests/inputs keep one per module: their conftest)."""
    if not rtmp_available():
        pytest.skip("nginx with the RTMP module missing")
    with RtmpServer() as server:
        yield server
