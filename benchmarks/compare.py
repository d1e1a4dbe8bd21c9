"""Before and after in one run: a benchmark of this checkout against the same benchmark of an
earlier commit, taking turns so that load on a shared machine hits both alike.

The earlier commit is checked out into a temporary git worktree; each benchmark runs there and
here as ``python -m benchmarks.<name>`` (each with its own code on the path), ``--rounds`` times
in alternation, and the best figure of each row is kept (lowest for ``*_ms``, highest for
``*_per_s``). Rows are matched by label, aligned as ``difflib`` aligns lines: a row added on one
side pairs with nothing, and a renamed row in the same place pairs with its old self.
Run: ``.venv/bin/python -m benchmarks.compare --before REV codec store
[--args codec="--runs 200"]``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.report import print_table, write_json

ROOT = Path(__file__).resolve().parent.parent


def _run(checkout: Path, name: str, extra: list[str]) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *extra], cwd=checkout, env=env,
                   check=True, stdout=subprocess.DEVNULL, timeout=1800)
    record = json.loads((checkout / "benchmarks" / "out" / f"{name}.json").read_text())
    rows: list[dict[str, Any]] = record["rows"]
    return rows


def _label(row: dict[str, Any]) -> str:
    return next((str(v) for v in row.values() if isinstance(v, str)), "?")


def _best(rounds: list[list[dict[str, Any]]]) -> list[dict[str, float | str]]:
    best: list[dict[str, float | str]] = []
    for index, row in enumerate(rounds[0]):
        merged: dict[str, float | str] = {"row": _label(row)}
        for key, value in row.items():
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue
            values = [float(r[index][key]) for r in rounds]
            merged[key] = max(values) if key.endswith("per_s") else min(values)
        best.append(merged)
    return best


def compare(before: str, names: list[str], rounds: int,
            extra: dict[str, list[str]]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), before], cwd=ROOT,
                       check=True)
        try:
            rows: list[dict[str, Any]] = []
            for name in names:
                runs: dict[str, list[list[dict[str, Any]]]] = {"before": [], "after": []}
                for _ in range(rounds):
                    runs["before"].append(_run(old, name, extra.get(name, [])))
                    runs["after"].append(_run(ROOT, name, extra.get(name, [])))
                rows += _pair(name, _best(runs["before"]), _best(runs["after"]))
            return rows
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT,
                           check=False)


def _likeness(old: str, new: str, index: int) -> tuple[bool, float]:
    """How likely ``new`` is ``old`` renamed: a label that only grew a suffix first (the
    earliest such), else the most similar text."""
    if new.startswith(old):
        return True, -index
    return False, difflib.SequenceMatcher(a=old, b=new).ratio()


def _aligned(before: list[dict[str, float | str]], after: list[dict[str, float | str]]
             ) -> list[tuple[dict[str, float | str], dict[str, float | str]]]:
    """(before row, after row) pairs: equal labels, and renamed rows in the same place."""
    matcher = difflib.SequenceMatcher(a=[str(r["row"]) for r in before],
                                      b=[str(r["row"]) for r in after], autojunk=False)
    pairs = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            pairs += list(zip(before[i1:i2], after[j1:j2]))
        elif tag == "replace":  # renamed and added rows: each old row to its likeliest new one
            free = list(after[j1:j2])
            for old in before[i1:i2]:
                best = max(free, key=lambda new: _likeness(str(old["row"]), str(new["row"]),
                                                           free.index(new)))
                free.remove(best)
                pairs.append((old, best))
                if not free:
                    break
    return pairs


def _pair(name: str, before: list[dict[str, float | str]],
          after: list[dict[str, float | str]]) -> list[dict[str, Any]]:
    rows = []
    for old, new in _aligned(before, after):
        for key in new:
            if key == "row" or key not in old or not (key.endswith("_ms") or key.endswith("per_s")):
                continue
            b, a = float(old[key]), float(new[key])
            rows.append({"benchmark": name, "row": new["row"], "metric": key, "before": b,
                         "after": a, "after/before": a / b if b else float("nan")})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--before", required=True, help="the earlier commit (any git revision)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--args", action="append", default=[], metavar='NAME="ARGS"',
                        help="arguments for one benchmark, e.g. codec=\"--runs 200\"")
    parser.add_argument("names", nargs="+", help="benchmark modules, e.g. codec store")
    args = parser.parse_args(argv)
    extra = {name: shlex.split(text) for name, _, text in (a.partition("=") for a in args.args)}
    rows = compare(args.before, args.names, args.rounds, extra)
    print_table(f"before ({args.before}) and after, best of {args.rounds} alternating rounds",
                rows)
    write_json("compare", rows, before=args.before, rounds=args.rounds, names=args.names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
