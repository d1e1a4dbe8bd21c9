"""``benchmarks.versus`` runs end to end at a tiny size: every contender's file is checked, the
pictures agree with ours, and the JSON holds a row per scene and contender."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_versus_smoke_run_writes_checked_rows() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.versus", "--frames", "8", "--width", "320",
         "--height", "180", "--scenes", "still", "moving", "--contenders", "ours", "ffmpeg",
         "--name", "versus-smoke"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    record = json.loads((ROOT / "benchmarks" / "out" / "versus-smoke.json").read_text())
    rows = {(row["scene"], row["contender"]): row for row in record["rows"]}
    assert set(rows) == {(s, c) for s in ("still", "moving") for c in ("ours", "ffmpeg")}
    for row in rows.values():
        assert row["status"] == "ok" and row["frames"] == 8, row
        assert row["wall_s"] > 0 and row["cpu_s"] > 0 and row["wall_x"] > 0, row
        # The same picture: a few levels of encoding and rounding, not a misplaced layer.
        assert row["diff"] is not None and row["diff"] < 3.0, row
        assert row["diff_run"] is not None and row["diff_run"] < 3.0, row
    assert rows[("still", "ours")]["wall_x"] == 1.0
    assert record["encoder"]["bitrate_bps"] == 6_000_000 and record["container"] == "mp4"


def test_a_short_or_wrong_sized_file_is_counted_as_such(tmp_path: Path) -> None:
    from benchmarks.versus import count_frames

    out = tmp_path / "short.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=64x36:rate=30", "-frames:v", "5", "-c:v", "libx264",
                    "-tune", "zerolatency", str(out)], check=True, timeout=60)
    assert count_frames(out, 64, 36) == 5  # fewer than asked: the row is marked failed
    assert count_frames(out, 320, 180) == -1
    assert count_frames(tmp_path / "missing.mp4", 64, 36) == -1
