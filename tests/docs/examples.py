"""The code examples of README.md and docs/*.md, as runnable scripts.

Every fenced ``sh`` and ``python`` block is an example that must run as written against
``compositor serve --demo``, unless the line before its fence is ``<!-- example: not run
(reason) -->`` (installing, starting the service itself, editing a server's files). Shell blocks
of one document run in order in one bash process (``set -euo pipefail``, so variables carry over);
``curl`` is wrapped so that each request must answer the status the text claims: a comment that
starts with a status (``# 204``, ``# 200 or 412 (...)``) on the request's lines, or on the comment
lines right after it, names the statuses allowed; without one any 2xx or 3xx is.

The demo's clock commits at each whole second, so an example that reads the version and then
uses it (``V=$(curl ... | jq .version)``, then ``If-Match``) races the clock as a user's would.
The harness runs each such read right after a tick (the version just moved on), which leaves the
example most of a second for the request that uses it (the text tells users to read the
version right before they use it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Example", "examples", "shell_script"]

ROOT = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^```(\w*)\s*$")
_SKIP = re.compile(r"<!--\s*example:\s*not run\b")
_VERSION_READ = re.compile(r"^(\s*)(V=\$\(curl\s)", re.MULTILINE)
_STATUS = re.compile(r"#\s*((?:[1-5]\d\d)(?:\s*(?:or|,|/)\s*[1-5]\d\d)*)\b")

CURL_WRAPPER = r"""
curl() {
    local expect="${EXPECT:-200 201 202 204 301 302 304}" err status
    err=$(mktemp)
    command curl -sS -w '%{stderr}HTTP-STATUS:%{http_code}\n' "$@" 2>"$err" || {
        cat "$err" >&2; echo "EXAMPLE FAILED: curl $* could not connect" >&2; return 99; }
    status=$(sed -n 's/^HTTP-STATUS://p' "$err" | tail -n 1)
    grep -v '^HTTP-STATUS:' "$err" >&2 || true
    rm -f "$err"
    case " $expect " in
        *" $status "*) ;;
        *) echo "EXAMPLE FAILED: curl $* answered $status, the text says $expect" >&2
           return 98 ;;
    esac
}

after_clock_tick() {  # until the scene's version moves on (at most 3 s)
    local before now i
    before=$(command curl -s "$API/scene" | jq .version)
    for i in $(seq 60); do
        now=$(command curl -s "$API/scene" | jq .version)
        [ "$now" != "$before" ] && return 0
        sleep 0.05
    done
}
"""


@dataclass(frozen=True, slots=True)
class Example:
    document: str
    line: int  # of the opening fence, 1-based
    language: str
    code: str


def examples(paths: list[Path] | None = None) -> list[Example]:
    """Every runnable example, in document order."""
    found = []
    for path in paths or [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        lines = path.read_text().splitlines()
        i = 0
        while i < len(lines):
            match = _FENCE.match(lines[i])
            if match is None or not match.group(1):
                i += 1
                continue
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            skipped = i > 0 and _SKIP.search(lines[i - 1]) is not None
            if match.group(1) in ("sh", "python") and not skipped:
                found.append(Example(path.name, i + 1, match.group(1),
                                     "\n".join(lines[i + 1:end]) + "\n"))
            i = end + 1
    return found


def _with_expectations(code: str) -> str:
    """Prefix each curl command with ``EXPECT="..."`` from the status its text claims."""
    lines = code.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"\s*(\w+=\S+\s+)?curl\s", line)]
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        expected = None
        for line in lines[start:stop]:
            comment = line[line.find("#"):] if "#" in line else ""
            status = _STATUS.match(comment.strip()) if comment else None
            if status is not None:
                expected = " ".join(re.findall(r"\d{3}", status.group(1)))
                break
        if expected is not None:
            lines[start] = re.sub(r"(\s*)(curl\s)", rf'\1EXPECT="{expected}" \2',
                                  lines[start], count=1)
    return "\n".join(lines) + "\n"


def shell_script(blocks: list[Example], substitutions: dict[str, str]) -> str:
    """One bash script running ``blocks`` in order, each announced on stderr."""
    parts = ["set -euo pipefail", CURL_WRAPPER]
    for block in blocks:
        code = block.code
        for old, new in substitutions.items():
            code = code.replace(old, new)
        parts.append(f"echo '--- {block.document}:{block.line}' >&2")
        code = _VERSION_READ.sub(r"\1after_clock_tick\n\1\2", code)
        parts.append(_with_expectations(code))
    return "\n".join(parts)
