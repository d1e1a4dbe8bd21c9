"""The package installs and runs outside the checkout: ``pip install .`` of a built wheel, then
``compositor render`` from another directory. This is what proves that the shaders (a top-level
package of data files) and the fonts are shipped, and that nothing reads the source tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.compositor.media import decode_file

ROOT = Path(__file__).resolve().parent.parent
SCENE = {
    "width": 64, "height": 36, "fps": 25, "background": "#00FF00FF",
    "layers": [{"id": "t", "kind": "text", "content": {"text": "Hi", "size_px": 20}},
               {"id": "box", "kind": "color", "content": {"color": "#FF0000"},
                "transform": {"x": 40, "y": 10, "width": 16, "height": 16}}],
}


@pytest.mark.slow
def test_an_installed_wheel_renders_outside_the_checkout(tmp_path: Path) -> None:
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", ".*_cache", "benchmarks", "docs"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(source)], check=True, cwd=tmp_path, timeout=240)
    (wheel,) = wheels.glob("compositor-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "shaders/layer.glsl" in names and "compositor/fonts/DejaVuSans.ttf" in names
    assert "control/web/index.html" in names
    assert not any(name.startswith("tests/") for name in names)

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True, cwd=tmp_path, timeout=240)
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "scene.json").write_text(json.dumps(SCENE))
    # The installed copy comes first on the path; the checkout is not on it at all.
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    probe = subprocess.run(
        [sys.executable, "-c", "import compositor, shaders, control; "
         "print(compositor.__file__, shaders.__file__, control.__file__)"],
        check=True, cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert all(path.startswith(str(site)) for path in probe.stdout.split()), probe.stdout

    result = subprocess.run(
        [sys.executable, "-m", "control.service.cli", "render", "scene.json", "--seconds", "0.4",
         "-o", "out.mp4", "--encoder", "x264", "--no-progress", "--data-dir", str(work / "d")],
        cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    got = decode_file(str(work / "out.mp4"))
    assert len(got.frames) == 10
    assert abs(int(got.frames[0][18, 48, 0]) - 255) <= 40  # the red box was drawn by the shaders
