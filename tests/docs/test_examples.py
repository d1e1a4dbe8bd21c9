"""Executable documentation: the shell and Python examples of README.md and docs/ run as written
against ``compositor serve --demo`` (with nginx-rtmp standing in for the RTMP ingest), and each
request answers the status its text claims (see :mod:`tests.docs.examples`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.docs.examples import ROOT, examples, shell_script
from tests.e2e.serve import ServeProcess
from tests.media_factory import counter_clip
from tests.rtmp_server import RtmpServer, rtmp_available

pytestmark = pytest.mark.skipif(
    not rtmp_available() or shutil.which("jq") is None or shutil.which("curl") is None,
    reason="needs nginx-rtmp, curl and jq (scripts/bootstrap installs them)")

DOCUMENTS = sorted({example.document for example in examples()})


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, str]]:
    folder = tmp_path_factory.mktemp("docs")
    with RtmpServer() as rtmp:
        serve = ServeProcess(folder, "--demo", "--width", "320", "--height", "180",
                             "--fps", "10", "--output", rtmp.url("configured")).start()
        try:
            yield serve, rtmp.url("example")
        finally:
            serve.terminate()


def _workdir(tmp_path: Path, clip: Path) -> Path:
    """A folder holding the files the examples upload, and ``.venv`` as in a checkout."""
    Image.new("RGBA", (320, 120), (230, 57, 70, 255)).save(tmp_path / "logo.png")
    shutil.copy(ROOT / "compositor" / "fonts" / "DejaVuSans-Bold.ttf", tmp_path / "Inter-Bold.ttf")
    shutil.copy(clip, tmp_path / "sting.mp4")
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    return tmp_path


def _environment(serve: ServeProcess) -> dict[str, str]:
    """The commands of the examples (``compositor ...``) reach the test's service."""
    return {**os.environ, "PATH": f"{Path(sys.prefix) / 'bin'}:{os.environ['PATH']}",
            "COMPOSITOR_HOST": "127.0.0.1", "COMPOSITOR_PORT": str(serve.port),
            "COMPOSITOR_DATA_DIR": str(serve.args[serve.args.index("--data-dir") + 1])}


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs-media")
    return counter_clip(folder / "sting.mp4", fps=30, seconds=2.0, size=(320, 180))


def _substitutions(serve: ServeProcess, rtmp_url: str) -> dict[str, str]:
    host = f"127.0.0.1:{serve.port}"
    return {"127.0.0.1:8080": host, "localhost:8080": host,
            "rtmp://live.example.com/app/STREAM-KEY": rtmp_url}


def test_the_docs_have_examples() -> None:
    assert {"README.md", "api.md"} <= set(DOCUMENTS)
    assert sum(1 for e in examples() if e.language == "python") >= 1


@pytest.mark.parametrize("document", DOCUMENTS)
def test_shell_examples_run_as_written(document: str, service: tuple[ServeProcess, str],
                                       clip: Path, tmp_path: Path) -> None:
    blocks = [e for e in examples() if e.document == document and e.language == "sh"]
    if not blocks:
        pytest.skip(f"{document} has no shell example to run")
    serve, rtmp_url = service
    script = (f"API=http://127.0.0.1:{serve.port}/api/v1\n"  # as docs/api.md sets it
              + shell_script(blocks, _substitutions(serve, rtmp_url)))
    result = subprocess.run(["bash", "-c", script], cwd=_workdir(tmp_path, clip),
                            capture_output=True, text=True, timeout=120, check=False,
                            env=_environment(serve))
    assert result.returncode == 0, (
        f"{document}: exit {result.returncode}\n{result.stderr[-3000:]}\n{result.stdout[-2000:]}")
    assert "EXAMPLE FAILED" not in result.stderr


@pytest.mark.parametrize("example", [e for e in examples() if e.language == "python"],
                         ids=lambda e: f"{e.document}:{e.line}")
def test_python_examples_run_without_error(example: object, service: tuple[ServeProcess, str],
                                           clip: Path, tmp_path: Path) -> None:
    from tests.docs.examples import Example

    assert isinstance(example, Example)
    serve, rtmp_url = service
    code = example.code
    for old, new in _substitutions(serve, rtmp_url).items():
        code = code.replace(old, new)
    # Followers run forever: give them a few seconds, then stop them.
    try:
        result = subprocess.run([sys.executable, "-c", code], cwd=_workdir(tmp_path, clip),
                                capture_output=True, text=True, timeout=6, check=False)
        stdout, stderr = result.stdout, result.stderr
    except subprocess.TimeoutExpired as expired:
        stdout = (expired.stdout or b"").decode() if isinstance(expired.stdout, bytes) \
            else expired.stdout or ""
        stderr = (expired.stderr or b"").decode() if isinstance(expired.stderr, bytes) \
            else expired.stderr or ""
    assert "Traceback" not in stderr, stderr
    assert stdout.strip(), f"{example.document}:{example.line} printed nothing"
