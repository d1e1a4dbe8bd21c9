"""Settings: flag over environment over default, every value validated with the flag's name."""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path

import pytest

from compositor.scene import Scene
from control.service.settings import (
    Settings,
    SettingsError,
    add_settings_arguments,
    load_settings,
    parse_bitrate,
)


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_settings_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults_are_the_contract_s(tmp_path: Path) -> None:
    settings = load_settings(_args(), environ={"XDG_DATA_HOME": str(tmp_path)})
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.redis_url is None
    assert settings.channel == "main"
    assert settings.outputs == ()
    assert (settings.width, settings.height, settings.fps) == (1920, 1080, Fraction(60))
    assert (settings.encoder, settings.bitrate_bps) == ("auto", 6_000_000)
    assert settings.api_token is None
    assert settings.max_layers == 256
    assert (settings.log_level, settings.log_format) == ("info", "text")
    assert settings.is_loopback


def test_default_data_dir_is_under_the_user_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The default is computed from the process environment when Settings is built.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert Settings().data_dir == tmp_path / "compositor"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert Settings().data_dir == Path.home() / ".local" / "share" / "compositor"


ENVIRONMENT = {
    "COMPOSITOR_HOST": "0.0.0.0",
    "COMPOSITOR_PORT": "9000",
    "COMPOSITOR_REDIS_URL": "redis://localhost:6379/1",
    "COMPOSITOR_DATA_DIR": "/srv/compositor",
    "COMPOSITOR_CHANNEL": "studio-b",
    "COMPOSITOR_OUTPUT": "rtmp://a/live/x, /tmp/out.mp4 ,",
    "COMPOSITOR_WIDTH": "1280",
    "COMPOSITOR_HEIGHT": "720",
    "COMPOSITOR_FPS": "29.97",
    "COMPOSITOR_ENCODER": "x264",
    "COMPOSITOR_BITRATE": "4.5M",
    "COMPOSITOR_API_TOKEN": "secret",
    "COMPOSITOR_MAX_LAYERS": "32",
    "COMPOSITOR_LOG_LEVEL": "DEBUG",
    "COMPOSITOR_LOG_FORMAT": "json",
}


def test_every_setting_has_an_environment_variable() -> None:
    settings = load_settings(_args(), environ=ENVIRONMENT)
    assert settings == Settings(
        host="0.0.0.0",
        port=9000,
        redis_url="redis://localhost:6379/1",
        data_dir=Path("/srv/compositor"),
        channel="studio-b",
        outputs=("rtmp://a/live/x", "/tmp/out.mp4"),
        width=1280,
        height=720,
        fps=Fraction(30000, 1001),
        encoder="x264",
        bitrate_bps=4_500_000,
        api_token="secret",
        max_layers=32,
        log_level="debug",
        log_format="json",
    )
    assert settings.fps == Fraction(30000, 1001)
    assert settings.bitrate_bps == 4_500_000
    assert not settings.is_loopback


def test_flags_win_over_the_environment() -> None:
    args = _args(
        "--host", "::1", "--port", "8081", "--redis-url", "redis://other", "--data-dir", "/d",
        "--channel", "c2", "--output", "a.mp4", "--output", "b.mkv", "--width", "640",
        "--height", "360", "--fps", "30000/1001", "--encoder", "nvenc", "--bitrate", "2500k",
        "--api-token", "t2", "--max-layers", "8", "--log-level", "warning", "--log-format",
        "text",
    )
    settings = load_settings(args, environ=ENVIRONMENT)
    assert settings == Settings(
        host="::1", port=8081, redis_url="redis://other", data_dir=Path("/d"), channel="c2",
        outputs=("a.mp4", "b.mkv"), width=640, height=360, fps=Fraction(30000, 1001),
        encoder="nvenc", bitrate_bps=2_500_000, api_token="t2", max_layers=8,
        log_level="warning", log_format="text",
    )
    assert settings.is_loopback


def test_redis_url_falls_back_to_plain_redis_url() -> None:
    assert load_settings(_args(), environ={"REDIS_URL": "redis://r"}).redis_url == "redis://r"
    both = {"REDIS_URL": "redis://r", "COMPOSITOR_REDIS_URL": "redis://c"}
    assert load_settings(_args(), environ=both).redis_url == "redis://c"


def test_empty_environment_values_mean_unset() -> None:
    settings = load_settings(_args(), environ={"COMPOSITOR_PORT": "", "COMPOSITOR_OUTPUT": ""})
    assert (settings.port, settings.outputs) == (8080, ())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "http"], "--port: 'http' is not an integer"),
        (["--port", "70000"], "--port: must be between 0 and 65535"),
        (["--width", "1921"], "--width/--height: must be even"),
        (["--height", "8"], "--height: must be between 16 and 4320"),
        (["--width", "8000"], "--width: must be between 16 and 7680"),
        (["--fps", "0"], "--fps: '0' is not a frame rate"),
        (["--fps", "144"], "--fps: '144' is not a frame rate"),
        (["--fps", "fast"], "--fps: 'fast' is not a frame rate"),
        (["--fps", "30/0"], "--fps: '30/0' is not a frame rate"),
        (["--encoder", "qsv"], "--encoder: must be one of auto, x264, nvenc"),
        (["--bitrate", "lots"], "--bitrate: 'lots' is not a bitrate"),
        (["--bitrate", "10k"], "--bitrate: must be between 100k and 200M"),
        (["--max-layers", "0"], "--max-layers: must be between 1 and 4096"),
        (["--log-level", "verbose"], "--log-level: must be one of debug, info, warning, error"),
        (["--log-format", "xml"], "--log-format: must be one of text, json"),
        (["--channel", "a/b"], "--channel: use letters, digits"),
        (["--max-clip-bytes", "lots"], "--max-clip-bytes: 'lots' is not a size"),
        (["--max-clip-seconds", "0"], "--max-clip-seconds: '0' is not a number of seconds"),
        (["--max-clip-seconds", "nan"], "--max-clip-seconds: 'nan' is not a number"),
        (["--damage", "maybe"], "--damage: must be one of on, off"),
        (["--frame-format", "rgba32f"], "--frame-format: must be one of rgba16f, rgba8"),
    ],
)
def test_bad_values_name_their_flag(argv: list[str], message: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(_args(*argv), environ={})
    assert message in str(info.value)


def test_damage_and_frame_format_reach_the_pipeline_config() -> None:
    scene = Scene(width=640, height=360)
    default = load_settings(_args(), environ={}).pipeline_config(scene)
    assert (default.damage, default.frame_format) == (True, "rgba16f")
    chosen = load_settings(_args("--damage", "OFF"), environ={
        "COMPOSITOR_FRAME_FORMAT": "rgba8"}).pipeline_config(scene)
    assert (chosen.damage, chosen.frame_format) == (False, "rgba8")


def test_bad_environment_values_are_rejected_too() -> None:
    with pytest.raises(SettingsError, match="--port"):
        load_settings(_args(), environ={"COMPOSITOR_PORT": "eighty"})
    with pytest.raises(SettingsError, match="--fps"):
        load_settings(_args(), environ={"COMPOSITOR_FPS": "121"})


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.org", False)],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert Settings(host=host).is_loopback is loopback


@pytest.mark.parametrize(
    ("text", "bps"), [("6000k", 6_000_000), ("6M", 6_000_000), ("6000000", 6_000_000),
                      (" 800K ", 800_000), ("100k", 100_000), ("200M", 200_000_000)]
)
def test_bitrate_units(text: str, bps: int) -> None:
    assert parse_bitrate(text) == bps


def test_help_names_every_environment_variable() -> None:
    parser = argparse.ArgumentParser()
    add_settings_arguments(parser)
    text = parser.format_help()
    for variable in [*ENVIRONMENT, "REDIS_URL"]:
        assert variable in text, variable


def test_api_token_from_a_file_keeps_it_off_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("s3cret-token\n")
    assert load_settings(environ={"COMPOSITOR_API_TOKEN_FILE": str(path)}).api_token == \
        "s3cret-token"
    both = {"COMPOSITOR_API_TOKEN_FILE": str(path), "COMPOSITOR_API_TOKEN": "other"}
    with pytest.raises(SettingsError, match="one or the other"):
        load_settings(environ=both)
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(SettingsError, match="is empty"):
        load_settings(environ={"COMPOSITOR_API_TOKEN_FILE": str(tmp_path / "empty")})
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(environ={"COMPOSITOR_API_TOKEN_FILE": str(tmp_path / "absent")})


def test_clip_limits_reach_the_upload_policy() -> None:
    defaults = load_settings(_args(), environ={}).control_config().assets
    assert (defaults.max_clip_bytes, defaults.max_clip_seconds) == (2 * 1024**3, 14_400.0)
    settings = load_settings(_args("--max-clip-bytes", "500M"),
                             environ={"COMPOSITOR_MAX_CLIP_BYTES": "1G",
                                      "COMPOSITOR_MAX_CLIP_SECONDS": "90.5"})
    policy = settings.control_config().assets
    assert (policy.max_clip_bytes, policy.max_clip_seconds) == (500 * 1024**2, 90.5)
    assert policy.limit_for("clip") == 500 * 1024**2 and policy.limit_for("image") == 32 * 1024**2
