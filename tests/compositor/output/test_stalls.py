"""An ingest that accepts TCP and then never answers must not freeze anything: not this process
(its other threads keep running), not the other outputs; the stalled output is torn down,
counted and reconnected with backoff, and stops within a bounded time."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from compositor.metrics import PipelineMetrics
from compositor.output import Backoff, open_output, rtmp_output
from tests.compositor.media import decode_file
from tests.compositor.output.test_outputs import VIDEO, _packets


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A TCP port that accepts connections and never reads or answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_server_that_never_answers_stalls_only_its_own_output(black_hole: int,
                                                                tmp_path: Path) -> None:
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    stalled = rtmp_output(f"rtmp://127.0.0.1:{black_hole}/live/secret-key", VIDEO, metrics,
                          backoff=Backoff(0.2, 0.5), stall_s=1.0)
    recording = open_output(str(tmp_path / "side.ts"), VIDEO, metrics)
    packets = _packets(100)
    stalled.start()
    recording.start()
    # Feed both at 25 fps from this thread, as the encode thread would, and watch that this
    # thread is never held up: a frozen process (the GIL held by a blocked FFmpeg call) would
    # show up as a long gap here, or as a hang.
    longest_gap, previous = 0.0, time.monotonic()
    for packet in packets:
        stalled.offer(packet)
        recording.offer(packet)
        time.sleep(0.04)
        now = time.monotonic()
        longest_gap, previous = max(longest_gap, now - previous), now
    assert longest_gap < 0.5, f"this thread was held up for {longest_gap:.2f} s"
    assert stalled.reconnects >= 1
    assert stalled.state in ("reconnecting", "connecting")
    assert stalled.last_error is not None and "secret-key" not in stalled.last_error
    assert "no progress" in stalled.last_error or "stalled" in stalled.last_error
    # The state is a gauge per (output, state): the alert in docs/deploy.md selects it so. The
    # output is "reconnecting" only during its backoff (it is "connecting" while it waits for a
    # keyframe to try again), so keep feeding it until the scrape lands in one.
    name = f"rtmp://127.0.0.1:{black_hole}/live/****"
    reconnecting = f'compositor_output_state{{output="{name}",state="reconnecting"}} 1.0'
    deadline = time.monotonic() + 20
    text = generate_latest(registry).decode()
    index = 0
    while reconnecting not in text and time.monotonic() < deadline:
        stalled.offer(packets[index % len(packets)])
        index += 1
        time.sleep(0.04)
        text = generate_latest(registry).decode()
    assert reconnecting in text
    assert f'compositor_output_state{{output="{name}",state="live"}} 0.0' in text
    started = time.monotonic()
    stalled.stop(timeout=3.0)
    recording.stop()
    assert time.monotonic() - started < 8.0
    assert recording.last_error is None and recording.dropped_packets == 0
    assert len(decode_file(str(tmp_path / "side.ts")).frames) == len(packets)
