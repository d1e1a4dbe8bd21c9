"""The as-run log and the journal re-render of a scripted run on ``compositor serve`` with Redis
(160x90 @ 30, the program written to a file): commits over HTTP, the WebSocket, a cue and the
schedule each appear with their source and the frame their on-air receipt names, as JSON, CSV
and ``compositor as-run``; then ``compositor render --from-journal`` of a span equals the
recording of that span frame by frame (decoded pixels, with a tolerance for the two lossy
encodes). ``scripts/as-run-soak`` runs the same script for ten minutes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.as_run_script import compare_recordings, run_script
from tests.e2e.serve import ServeProcess
from tests.servers import RedisServer

FPS = 30


def test_as_run_lists_every_change_and_the_journal_re_renders_the_recording(
        tmp_path: Path) -> None:
    seconds = float(os.environ.get("COMPOSITOR_AS_RUN_SECONDS", "4"))
    program = tmp_path / "program.mkv"
    with RedisServer(tmp_path / "redis") as redis:
        serve = ServeProcess(tmp_path, "--width", "160", "--height", "90", "--fps", str(FPS),
                             "--output", str(program), "--redis-url", redis.url,
                             "--journal-max", "100000")
        try:
            serve.start()
            run = run_script(serve.url, seconds, FPS)
            cli = subprocess.run(
                [sys.executable, "-m", "control.service.cli", "as-run", "--url", serve.url,
                 "--csv", "--from", f"frame:{run.first_frame}"],
                capture_output=True, text=True, timeout=60, check=True)
            assert serve.terminate() == 0
        finally:
            serve.close()
        rows = cli.stdout.strip().splitlines()
        assert rows[0] == "frame,utc,version,source,cue,cue_name,layers,on_air"
        assert len(rows) - 1 == len(run.entries)
        replay = tmp_path / "replay.mkv"
        first, last = run.span
        subprocess.run(
            [sys.executable, "-m", "control.service.cli", "render", "--redis-url", redis.url,
             "--from-journal", f"frame:{first}", f"frame:{last}", "-o", str(replay),
             "--no-progress"], check=True, timeout=300)
    compare_recordings(program, run.start_frame, replay, first, last, FPS)


