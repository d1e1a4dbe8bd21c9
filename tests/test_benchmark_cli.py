"""Benchmark command lines fail with one clear line, not a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_render_benchmark_require_gpu_without_a_gpu_says_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.render", "--require-gpu", "--frames", "1",
         "--cpu-frames", "1", "--width", "64", "--height", "36"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode == 0:  # a machine with a GPU: nothing to check
        return
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("benchmarks.render: "), result.stderr
    assert "GPU" in lines[-1]
