"""The ``compositor`` command line: help, dispatch, clear errors for bad flags and missing parts."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from control.service import cli
from control.service.settings import Settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Settings read the environment: a developer's COMPOSITOR_* must not change these tests.
    for name in list(os.environ):
        if name.startswith("COMPOSITOR_") or name == "REDIS_URL":
            monkeypatch.delenv(name)


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    """The installed console script when there is one (it proves the entry point), else -m."""
    script = Path(sys.executable).parent / "compositor"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "control.service.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSITOR_")}
    return subprocess.run([*command, *argv], capture_output=True, text=True, timeout=60, env=env,
                          check=False)


def test_help_lists_every_command() -> None:
    result = _run("--help")
    assert result.returncode == 0, result.stderr
    for command in ("serve", "render", "asset"):
        assert command in result.stdout
    assert "usage: compositor" in result.stdout


def test_serve_help_lists_every_setting(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["serve", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--host", "--port", "--redis-url", "--data-dir", "--channel", "--output",
                 "--width", "--height", "--fps", "--encoder", "--bitrate", "--api-token",
                 "--max-layers", "--log-level", "--log-format", "--demo"):
        assert flag in out, flag


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--port", "abc"], "--port: 'abc' is not an integer"),
        (["serve", "--width", "1921"], "must be even"),
        (["serve", "--fps", "500"], "--fps: '500' is not a frame rate"),
        (["serve", "--encoder", "quicksync"], "--encoder: must be one of auto, x264, nvenc"),
        (["render", "scene.json", "-o", "out.mp4"], "the following arguments are required: "
         "--seconds"),
        (["render", "scene.json", "--seconds", "soon", "-o", "x.mp4"], "invalid float value"),
        (["render", "s.json", "--from-journal", "1", "2", "-o", "x.mp4"], "takes no SCENE"),
        (["as-run", "--from"], "expected one argument"),
        (["asset", "add"], "the following arguments are required: files"),
        (["stream"], "invalid choice: 'stream'"),
    ],
)
def test_bad_flag_values_exit_2_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: compositor" in err
    assert message in err


def test_bad_flag_through_the_real_command() -> None:
    # Settings are checked before the subcommand's module is imported, so nothing starts.
    result = _run("serve", "--port", "99999")
    assert result.returncode == 2
    assert "compositor: error: --port: must be between 0 and 65535" in result.stderr


def test_a_subcommand_not_yet_built_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(cli._COMMANDS, "serve", ("compositor.not_built_yet", "serve_main"))
    assert cli.main(["serve"]) == 2
    assert "compositor serve: not yet available in this build" in capsys.readouterr().err


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> None:
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)


def test_a_broken_subcommand_is_not_reported_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A module that exists but lacks one of *its* dependencies is a real error, not "not built".
    _module(tmp_path, monkeypatch, "cli_test_broken", "import no_such_dependency_for_cli_test\n")
    monkeypatch.setitem(cli._COMMANDS, "serve", ("cli_test_broken", "serve_main"))
    with pytest.raises(ModuleNotFoundError) as info:
        cli.main(["serve"])
    assert info.value.name == "no_such_dependency_for_cli_test"


def test_dispatch_passes_settings_and_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        "calls = []\n"
        "def render_main(settings, args):\n"
        "    calls.append((settings, args))\n"
        "    return 7\n"
    )
    _module(tmp_path, monkeypatch, "cli_test_render", source)
    monkeypatch.setitem(cli._COMMANDS, "render", ("cli_test_render", "render_main"))
    monkeypatch.setenv("COMPOSITOR_FPS", "50")
    code = cli.main(["render", "s.json", "--seconds", "2.5", "-o", "out.mp4", "--width", "640",
                     "--height", "360"])
    assert code == 7
    settings, args = sys.modules["cli_test_render"].calls[0]
    assert isinstance(settings, Settings)
    assert (settings.width, settings.height, settings.fps) == (640, 360, Fraction(50))
    assert (args.scene, args.seconds, args.out) == ("s.json", 2.5, "out.mp4")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("compositor ") and out.strip() != "compositor"
