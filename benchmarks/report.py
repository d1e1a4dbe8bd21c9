"""Shared by the benchmark scripts: percentiles, a plain-text table and a JSON record.

Every benchmark prints a table and writes ``benchmarks/out/<name>.json`` with the machine,
the date, the command and its rows, so results can be compared and copied into RESULTS.md.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["machine", "percentile", "print_table", "write_json"]

OUT_DIR = Path(__file__).resolve().parent / "out"


def percentile(samples: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0..100) by linear interpolation; NaN for no samples."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * pct / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def machine() -> dict[str, object]:
    return {
        "node": platform.node(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def print_table(title: str, rows: Sequence[Mapping[str, object]]) -> None:
    """Rows of equal keys as an aligned text table (floats with 3 significant decimals)."""
    print(f"\n{title}")
    if not rows:
        print("(no rows)")
        return
    headers = list(rows[0].keys())
    cells = [[_cell(row.get(h)) for h in headers] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in cells:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:.0f}"
    return "" if value is None else str(value)


def write_json(name: str, rows: Sequence[Mapping[str, object]], **extra: object) -> Path:
    """Write ``benchmarks/out/<name>.json``; returns its path."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    record = {
        "name": name,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "machine": machine(),
        "rows": list(rows),
        **extra,
    }
    path.write_text(json.dumps(record, indent=2, default=str) + "\n")
    print(f"\nwrote {path}")
    return path
