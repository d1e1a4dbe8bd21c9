"""The systemd unit in docs/deploy.md is valid as systemd reads it (issue: a trailing comment on
``EnvironmentFile=`` once made the env file path wrong)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def unit_text() -> str:
    """The ``[Unit]`` .. ``[Install]`` block of the first ini code block in docs/deploy.md."""
    text = DEPLOY.read_text()
    match = re.search(r"```ini\n(?:#[^\n]*\n)*(\[Unit\].*?)```", text, re.S)
    assert match is not None, "docs/deploy.md has no ```ini block with the unit"
    return match.group(1)


def test_no_setting_line_carries_a_comment() -> None:
    # systemd treats only whole lines starting with # or ; as comments.
    for number, line in enumerate(unit_text().splitlines(), 1):
        if "=" in line and not line.lstrip().startswith(("#", ";")):
            assert " #" not in line and " ;" not in line, f"unit line {number}: {line!r}"


def test_every_line_is_a_section_a_setting_or_a_comment() -> None:
    for number, line in enumerate(unit_text().splitlines(), 1):
        stripped = line.strip()
        assert (not stripped or stripped.startswith(("#", ";"))
                or re.fullmatch(r"\[[A-Za-z]+\]", stripped)
                or re.fullmatch(r"[A-Za-z]+=.*", stripped)), f"unit line {number}: {line!r}"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    # The ExecStart binary must exist for verify: point it at this Python.
    text = re.sub(r"^ExecStart=\S+", f"ExecStart={sys.executable}", unit_text(), flags=re.M)
    unit = tmp_path / "compositor@main.service"
    unit.write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                            text=True, timeout=60, check=False)
    problems = [line for line in result.stderr.splitlines()
                if ("compositor@" in line and "Unknown" in line) or "Failed" in line
                or "nvalid" in line]
    assert result.returncode == 0 and not problems, result.stderr
