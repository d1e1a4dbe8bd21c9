"""The ``compositor`` command line: help, dispatch, clear errors for bad flags and missing parts."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from control.service import cli
from control.service.cli import main
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
    assert "compositor serve: error: --port: must be between 0 and 65535" in result.stderr


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
    code = cli.main(["render", "s.json", "--seconds", "2.5", "-o", "out.mp4", "--bitrate",
                     "2500k", "--channel", "news"])
    assert code == 7
    settings, args = sys.modules["cli_test_render"].calls[0]
    assert isinstance(settings, Settings)
    assert (settings.bitrate_bps, settings.channel, settings.fps) == (2_500_000, "news",
                                                                      Fraction(50))
    assert (args.scene, args.seconds, args.out) == ("s.json", 2.5, "out.mp4")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("compositor ") and out.strip() != "compositor"


# --- each subcommand shows and accepts only its own settings (newcomer polish) --------------


def _help(*command: str) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([*command, "--help"])
    return out.getvalue()


@pytest.mark.parametrize(("command", "shown", "hidden"), [
    (("render",), ["--data-dir", "--redis-url", "--encoder", "--no-audio", "--journal-max"],
     ["--host", "--port", "--api-token", "--insecure", "--output", "--width", "--fps"]),
    (("asset", "add"), ["--data-dir", "--max-clip-bytes"],
     ["--host", "--output", "--encoder", "--width"]),
    (("as-run",), ["--port", "--api-token"], ["--data-dir", "--output", "--width"]),
    (("serve",), ["--host", "--output", "--width", "--insecure", "--obs-websocket-port"], []),
])
def test_each_subcommand_shows_only_its_own_flags(command: tuple[str, ...], shown: list[str],
                                                  hidden: list[str]) -> None:
    text = _help(*command)
    for flag in shown:
        assert flag in text, flag
    for flag in hidden:
        assert f"{flag} " not in text and f"{flag}\n" not in text, flag


def test_a_flag_a_subcommand_cannot_honour_is_an_error_with_its_usage(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["render", "scene.json", "--seconds", "1", "-o", "out.mp4", "--width", "1280"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: compositor render")
    assert "compositor render: error: unrecognized arguments: --width 1280" in err


def test_a_bad_setting_names_the_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--port", "http"])
    err = capsys.readouterr().err
    assert err.startswith("usage: compositor serve")
    assert "compositor serve: error: --port: 'http' is not an integer" in err


def test_serve_help_shows_the_defaults_and_the_top_level_has_examples() -> None:
    text = " ".join(_help("serve").split())
    assert "(default main)" in text and "(default info)" in text and "(default text)" in text
    assert "folder of the embedded store (default " in text
    top = _help()
    assert "examples:" in top and "compositor serve --demo" in top


def test_render_names_the_store_it_read_when_an_asset_is_missing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scene = tmp_path / "scene.json"
    scene.write_text('{"width": 64, "height": 36, "layers": [{"id": "a", "kind": "image", '
                     '"content": {"asset": "' + "a" * 64 + '"}}]}')
    code = main(["render", str(scene), "--seconds", "0.1", "-o", str(tmp_path / "o.mp4"),
                 "--data-dir", str(tmp_path / "store"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"the embedded store in {tmp_path / 'store'} (channel main)" in err
    assert "--data-dir or --redis-url" in err
