"""SIGTERM always finishes, and a recording is always finalised: also when Redis has gone away
under the service (every shutdown step has a deadline)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.compositor.media import decode_file
from tests.e2e.serve import ServeProcess
from tests.servers import RedisServer

pytestmark = pytest.mark.slow


def test_sigterm_with_redis_gone_finishes_and_finalises_the_recording(tmp_path: Path) -> None:
    recording = tmp_path / "program.mp4"
    with RedisServer(tmp_path / "redis") as redis:
        serve = ServeProcess(tmp_path, "--redis-url", redis.url, "--channel", "bye",
                             "--width", "160", "--height", "90", "--fps", "25",
                             "--encoder", "x264", "--output", str(recording))
        try:
            serve.start()
            time.sleep(1.5)  # some frames into the recording
            redis.kill()  # the store is gone: every store call now fails or waits
            time.sleep(0.5)
            started = time.monotonic()
            code = serve.terminate(timeout_s=40)
            took = time.monotonic() - started
        finally:
            serve.close()
    assert code == 0, serve.log()
    assert took < 30, f"SIGTERM took {took:.1f} s"
    data = recording.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat"), "the mp4 was not finalised"
    assert len(decode_file(str(recording)).frames) >= 25
