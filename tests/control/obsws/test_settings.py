"""The endpoint's settings: off by default; ``--obs-websocket-port`` and its password (flag,
environment or a file), and the configurations ``serve`` refuses."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import pytest

from control.service.obsws import obs_refusal
from control.service.settings import (
    Settings,
    SettingsError,
    add_settings_arguments,
    load_settings,
)


def _load(*argv: str, **environ: str) -> Settings:
    parser = argparse.ArgumentParser()
    add_settings_arguments(parser)
    return load_settings(parser.parse_args(list(argv)), environ=environ)


def test_off_by_default_on_by_flag_or_environment(tmp_path: Path) -> None:
    assert _load().obs_websocket_port is None
    on = _load("--obs-websocket-port", "4455", "--obs-websocket-password", "pw")
    assert (on.obs_websocket_port, on.obs_websocket_password) == (4455, "pw")
    env = _load(COMPOSITOR_OBS_WEBSOCKET_PORT="4456", COMPOSITOR_OBS_WEBSOCKET_PASSWORD="x")
    assert (env.obs_websocket_port, env.obs_websocket_password) == (4456, "x")
    assert _load("--obs-websocket-port", "4457",
                 COMPOSITOR_OBS_WEBSOCKET_PORT="4456").obs_websocket_port == 4457
    secret = tmp_path / "obs-password"
    secret.write_text("from a file\n")
    assert _load("--obs-websocket-password-file", str(secret)).obs_websocket_password \
        == "from a file"


@pytest.mark.parametrize(("argv", "message"), [
    (("--obs-websocket-port", "70000"), "--obs-websocket-port"),
    (("--obs-websocket-port", "8080"), "must differ from --port"),
    (("--obs-websocket-password", "a", "--obs-websocket-password-file", "f"), "one or the other"),
])
def test_bad_values_name_their_flag(argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        _load(*argv)


def test_serve_refuses_an_open_endpoint_where_the_api_is_guarded() -> None:
    on = _load("--obs-websocket-port", "4455")
    assert obs_refusal(on) is None  # loopback, no token: as open as the API
    assert "password" in (obs_refusal(replace(on, api_token="t")) or "")
    assert "password" in (obs_refusal(replace(on, host="0.0.0.0", api_token="t")) or "")
    assert obs_refusal(replace(on, host="0.0.0.0", insecure=True)) is None
    assert obs_refusal(replace(on, host="0.0.0.0", obs_websocket_password="p",
                               api_token="t")) is None
