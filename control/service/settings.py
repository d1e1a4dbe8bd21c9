"""Settings: one frozen dataclass, read once from flags and the environment, then passed down.

Every setting has a flag and an environment variable; the flag wins (CONTRACT.md). Nothing here is
global: :func:`load_settings` builds a value, the caller hands it to what needs it.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from compositor.gl.formats import FRAME_FORMATS
from compositor.pipeline import PipelineConfig
from compositor.scene import Scene
from compositor.scene.codec import Limits
from control.assets import AssetPolicy
from control.config import ControlConfig
from control.request_guard import LOOPBACK_HOSTS, RequestPolicy, normalize_origin
from control.service.setting_values import (
    SettingsError,
    choice,
    parse_age,
    parse_bitrate,
    parse_frame_rate,
    parse_int,
    parse_seconds,
    parse_size,
)

__all__ = ["ENCODERS", "Settings", "SettingsError", "add_settings_arguments", "load_settings",
           "parse_bitrate", "parse_frame_rate", "parse_size"]

ENCODERS = ("auto", "x264", "nvenc")
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "compositor"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    redis_url: str | None = None
    data_dir: Path = field(default_factory=_default_data_dir)
    channel: str = "main"
    outputs: tuple[str, ...] = ()
    width: int = 1920
    height: int = 1080
    fps: Fraction = Fraction(60)  # exact; see parse_frame_rate
    encoder: str = "auto"
    damage: bool = True  # redraw only what changed between frames
    frame_format: str = "rgba16f"  # the renderer's working frame
    bitrate_bps: int = 6_000_000  # bits per second; see parse_bitrate
    api_token: str | None = None
    insecure: bool = False  # allow a non-loopback bind without a token
    max_layers: int = 256
    log_level: str = "info"
    log_format: str = "text"
    demo: bool = False  # create the demo scene on an empty store
    render: bool = True  # run the render loop in this process
    allowed_origins: tuple[str, ...] = ()  # other web origins whose pages may change things
    allowed_hosts: tuple[str, ...] = ()  # more host names requests may use (public names)
    # Quotas: every resource a client can make the service hold is bounded.
    max_connections: int = 900  # HTTP + WebSocket connections at once (more: 503)
    max_ws_clients: int = 500  # WebSocket clients at once (more: refused, 1013)
    max_assets: int = 10_000  # assets in the store (more: 409)
    max_asset_storage: int = 4 * 1024**3  # bytes of all assets together (more: 409)
    max_clip_bytes: int = 2 * 1024**3  # one clip upload (more: 413, the read stops)
    max_clip_seconds: float = 4 * 3600.0  # one clip's duration (more: 422)
    max_scheduled: int = 1000  # commits waiting in the schedule (more: 409)
    max_journal_bytes: int = 64 * 1024**2  # the journal kept (embedded: in memory; Redis)
    journal_max: int = 1000  # commits the journal keeps (and on-air receipts, take claims)
    journal_max_age_s: float | None = None  # and none older than this (None: no age limit)
    max_cues: int = 1000  # cues the store may hold (more: 409)
    clip_release_s: float = 600.0  # a prepared clip no scene names is released after this
    obs_websocket_port: int | None = None  # the obs-websocket endpoint's port (None: off)
    obs_websocket_password: str | None = None  # its authentication password (None: no auth)

    @property
    def limits(self) -> Limits:
        """The bounds every commit is checked against (``max_layers`` from the settings)."""
        return Limits(max_layers=self.max_layers)

    def control_config(self) -> ControlConfig:
        """What the control plane (``control.app.create_app``) needs of these settings."""
        return ControlConfig(api_token=self.api_token, limits=self.limits,
                             store_backend="redis" if self.redis_url else "embedded",
                             requests=self.request_policy(),
                             assets=AssetPolicy(max_count=self.max_assets,
                                                max_total_bytes=self.max_asset_storage,
                                                max_clip_bytes=self.max_clip_bytes,
                                                max_clip_seconds=self.max_clip_seconds),
                             max_ws_clients=self.max_ws_clients,
                             max_scheduled=self.max_scheduled)

    def request_policy(self) -> RequestPolicy:
        """Which hosts and origins requests may come from (``control.request_guard``): on a
        loopback bind only loopback names (and ``allowed_hosts``); on another bind any name
        unless ``allowed_hosts`` lists them."""
        named = frozenset(name.lower() for name in self.allowed_hosts)
        if self.is_loopback:
            hosts: frozenset[str] | None = LOOPBACK_HOSTS | {self.host.lower()} | named
        else:
            hosts = named | {self.host.lower()} if named else None
        return RequestPolicy(hosts=hosts, origins=frozenset(self.allowed_origins))

    def pipeline_config(self, scene: Scene) -> PipelineConfig:
        """The program's pipeline: ``scene``'s size and rate, these settings' encoder, bitrate
        and outputs; every other field (run mode, evaluation, hooks) at its default, the live
        service's. Callers ``dataclasses.replace`` what they run differently."""
        return PipelineConfig(width=scene.width, height=scene.height, fps=scene.fps,
                              encoder=self.encoder, bitrate_bps=self.bitrate_bps,
                              outputs=self.outputs, damage=self.damage,
                              frame_format=self.frame_format)

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


# flag name -> (environment variables, help). Order is the --help order.
_ENV: dict[str, tuple[tuple[str, ...], str]] = {
    "host": (("COMPOSITOR_HOST",), "address to bind (default 127.0.0.1)"),
    "port": (("COMPOSITOR_PORT",), "port to bind (default 8080)"),
    "redis_url": (("COMPOSITOR_REDIS_URL", "REDIS_URL"), "redis:// or rediss:// URL (default: "
                  "the embedded store)"),
    "data_dir": (("COMPOSITOR_DATA_DIR",), "folder of the embedded store"),
    "channel": (("COMPOSITOR_CHANNEL",), "channel name: the key prefix in the store"),
    "outputs": (("COMPOSITOR_OUTPUT",), "output URL or file (repeatable; env: comma-separated)"),
    "width": (("COMPOSITOR_WIDTH",), "canvas width in pixels (default 1920)"),
    "height": (("COMPOSITOR_HEIGHT",), "canvas height in pixels (default 1080)"),
    "fps": (("COMPOSITOR_FPS",), "frame rate: 60, 50, 30, 29.97, 30000/1001, ..."),
    "encoder": (("COMPOSITOR_ENCODER",), "auto, x264 or nvenc (default auto)"),
    "damage": (("COMPOSITOR_DAMAGE",), "on: redraw only what changed; off: whole frames"),
    "frame_format": (("COMPOSITOR_FRAME_FORMAT",), "rgba16f, or rgba8: faster without a GPU, "
                     "up to 3/255 off"),
    "bitrate": (("COMPOSITOR_BITRATE",), "video bitrate (default 6000k)"),
    "api_token": (("COMPOSITOR_API_TOKEN",), "require 'Authorization: Bearer TOKEN' on /api"),
    "api_token_file": (("COMPOSITOR_API_TOKEN_FILE",), "read the API token from this file (keeps "
                       "it out of `ps` and shell history)"),
    "allowed_origins": (("COMPOSITOR_ALLOWED_ORIGINS",), "a web origin (https://panel.example."
                        "com) whose pages may change this service (repeatable; env: "
                        "comma-separated)"),
    "allowed_hosts": (("COMPOSITOR_ALLOWED_HOSTS",), "a host name clients use for this service "
                      "(repeatable; env: comma-separated; default: the loopback names on a "
                      "loopback bind, any name otherwise)"),
    "max_connections": (("COMPOSITOR_MAX_CONNECTIONS",), "HTTP and WebSocket connections at "
                        "once; more get 503 (default 900: keep it under the open-file limit)"),
    "max_ws_clients": (("COMPOSITOR_MAX_WS_CLIENTS",), "WebSocket clients at once; more are "
                       "refused with 1013 (default 500)"),
    "max_assets": (("COMPOSITOR_MAX_ASSETS",), "assets the store may hold (default 10000)"),
    "max_asset_storage": (("COMPOSITOR_MAX_ASSET_STORAGE",), "bytes all assets may take "
                          "together, like 4G or 512M (default 4G)"),
    "max_clip_bytes": (("COMPOSITOR_MAX_CLIP_BYTES",), "largest clip upload, like 2G or 500M; "
                       "more is refused with 413 as soon as it passes (default 2G)"),
    "max_clip_seconds": (("COMPOSITOR_MAX_CLIP_SECONDS",), "longest clip in seconds; longer is "
                         "refused with 422 (default 14400: 4 hours)"),
    "max_scheduled": (("COMPOSITOR_MAX_SCHEDULED",), "commits the schedule may hold "
                      "(default 1000)"),
    "max_journal_bytes": (("COMPOSITOR_MAX_JOURNAL_BYTES",), "the journal kept (in memory for "
                          "the embedded store, in Redis), like 64M (default 64M; also at most "
                          "1000 commits)"),
    "journal_max": (("COMPOSITOR_JOURNAL_MAX",), "commits the journal keeps (the as-run log "
                    "and --from-journal reach that far; default 1000)"),
    "journal_max_age": (("COMPOSITOR_JOURNAL_MAX_AGE",), "and no commit older than this: "
                        "seconds, or 90m, 24h, 7d (default: no age limit)"),
    "max_cues": (("COMPOSITOR_MAX_CUES",), "cues the store may hold (default 1000)"),
    "clip_release_after": (("COMPOSITOR_CLIP_RELEASE_AFTER",), "release a prepared clip (its "
                           "sound in memory and its PCM cache file) once no scene has named it "
                           "for this long: seconds, or 10m, 2h (default 10m)"),
    "max_layers": (("COMPOSITOR_MAX_LAYERS",), "most layers a scene may have (default 256)"),
    "obs_websocket_port": (("COMPOSITOR_OBS_WEBSOCKET_PORT",), "serve the obs-websocket 5 "
                           "protocol on this port of --host (default: off)"),
    "obs_websocket_password": (("COMPOSITOR_OBS_WEBSOCKET_PASSWORD",), "the obs-websocket "
                               "password (default: none, no authentication)"),
    "obs_websocket_password_file": (("COMPOSITOR_OBS_WEBSOCKET_PASSWORD_FILE",), "read the "
                                    "obs-websocket password from this file"),
    "log_level": (("COMPOSITOR_LOG_LEVEL",), "debug, info, warning or error"),
    "log_format": (("COMPOSITOR_LOG_FORMAT",), "text or json"),
}


# Settings given as a repeatable flag (and a comma-separated environment variable): their flag.
_LISTS = {"outputs": "--output", "allowed_origins": "--allowed-origin",
          "allowed_hosts": "--allowed-host"}


def add_settings_arguments(parser: argparse.ArgumentParser,
                           only: Collection[str] | None = None) -> None:
    """Add the flags of the settings named in ``only`` (every setting when None); defaults stay
    None so the environment can fill in. Help texts show the default where it is not said."""
    defaults = Settings()
    for name, (env, help_text) in _ENV.items():
        if only is not None and name not in only:
            continue
        flag = _LISTS.get(name, "--" + name.replace("_", "-"))
        extra = {"action": "append"} if name in _LISTS else {}
        default = getattr(defaults, name, None)
        if "default" not in help_text and default not in (None, (), ""):
            help_text = f"{help_text} (default {default})"
        parser.add_argument(flag, dest=name, default=None,
                            help=f"{help_text} [env {', '.join(env)}]", **extra)  # type: ignore[arg-type]
    if only is None or "insecure" in only:
        parser.add_argument("--insecure", action="store_true", default=None,
                            help="allow a non-loopback bind without an API token")


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, Sequence) else ()


def _origins(values: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return tuple(normalize_origin(value) for value in values)
    except ValueError as exc:
        raise SettingsError(f"--allowed-origin: {exc}") from None


def _secret(raw: Mapping[str, object], name: str) -> str | None:
    """A secret from ``--NAME`` or the first line of ``--NAME-file`` (one of them)."""
    flag = "--" + name.replace("_", "-")
    token, path = raw.get(name), raw.get(name + "_file")
    if token and path:
        raise SettingsError(f"{flag}, {flag}-file: give one or the other")
    if not path:
        return str(token) if token else None
    try:
        lines = Path(str(path)).expanduser().read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{flag}-file: cannot read {path}: {exc}") from exc
    if not lines or not lines[0].strip():
        raise SettingsError(f"{flag}-file: {path} is empty")
    return lines[0].strip()


def load_settings(
    args: argparse.Namespace | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Merge flags over environment over defaults, validating each value."""
    environ = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for name, (env_names, _) in _ENV.items():
        flag_value = getattr(args, name, None) if args is not None else None
        if flag_value is not None:
            raw[name] = flag_value
            continue
        for env_name in env_names:
            if environ.get(env_name):
                value = environ[env_name]
                raw[name] = [v.strip() for v in value.split(",") if v.strip()] \
                    if name in _LISTS else value
                break
    return _build(raw, args)


def _build(raw: dict[str, object], args: argparse.Namespace | None) -> Settings:
    d = Settings()
    get = raw.get
    level = choice("log_level", get("log_level", d.log_level), LOG_LEVELS)
    fmt = choice("log_format", get("log_format", d.log_format), LOG_FORMATS)
    encoder = choice("encoder", get("encoder", d.encoder), ENCODERS)
    damage = choice("damage", get("damage", "on"), ("on", "off"))
    frame_format = choice("frame_format", get("frame_format", d.frame_format), FRAME_FORMATS)
    outputs = get("outputs", ())
    settings = Settings(
        host=str(get("host", d.host)),
        port=parse_int("port", str(get("port", d.port)), 0, 65535),
        redis_url=str(raw["redis_url"]) if raw.get("redis_url") else None,
        data_dir=Path(str(get("data_dir", d.data_dir))).expanduser(),
        channel=str(get("channel", d.channel)),
        outputs=tuple(str(o) for o in outputs) if isinstance(outputs, Sequence) else (),
        width=parse_int("width", str(get("width", d.width)), 16, 7680),
        height=parse_int("height", str(get("height", d.height)), 16, 4320),
        fps=parse_frame_rate(str(raw["fps"])) if "fps" in raw else d.fps,
        encoder=encoder,
        damage=damage == "on",
        frame_format=frame_format,
        bitrate_bps=parse_bitrate(str(raw["bitrate"])) if "bitrate" in raw else d.bitrate_bps,
        api_token=_secret(raw, "api_token"),
        insecure=bool(getattr(args, "insecure", None)),
        max_layers=parse_int("max_layers", str(get("max_layers", d.max_layers)), 1, 4096),
        log_level=level,
        log_format=fmt,
        demo=bool(getattr(args, "demo", False)),
        render=not bool(getattr(args, "no_render", False)),
        allowed_origins=_origins(_strings(get("allowed_origins", ()))),
        allowed_hosts=_strings(get("allowed_hosts", ())),
        max_connections=parse_int("max_connections", str(get("max_connections",
                                                        d.max_connections)), 1, 1_000_000),
        max_ws_clients=parse_int("max_ws_clients", str(get("max_ws_clients", d.max_ws_clients)), 1,
                            1_000_000),
        max_assets=parse_int("max_assets", str(get("max_assets", d.max_assets)), 1, 10_000_000),
        max_asset_storage=parse_size("max_asset_storage",
                                     str(get("max_asset_storage", d.max_asset_storage))),
        max_clip_bytes=parse_size("max_clip_bytes",
                                  str(get("max_clip_bytes", d.max_clip_bytes))),
        max_clip_seconds=parse_seconds("max_clip_seconds",
                                  str(get("max_clip_seconds", d.max_clip_seconds))),
        max_scheduled=parse_int("max_scheduled", str(get("max_scheduled", d.max_scheduled)), 1,
                           1_000_000),
        max_journal_bytes=parse_size("max_journal_bytes",
                                     str(get("max_journal_bytes", d.max_journal_bytes))),
        journal_max=parse_int("journal_max", str(get("journal_max", d.journal_max)), 1, 10_000_000),
        journal_max_age_s=parse_age(str(raw["journal_max_age"]))
        if raw.get("journal_max_age") else None,
        max_cues=parse_int("max_cues", str(get("max_cues", d.max_cues)), 1, 1_000_000),
        clip_release_s=parse_age(str(raw["clip_release_after"]), "--clip-release-after")
        if raw.get("clip_release_after") else d.clip_release_s,
        obs_websocket_port=parse_int("obs_websocket_port", str(raw["obs_websocket_port"]), 1, 65535)
        if raw.get("obs_websocket_port") else None,
        obs_websocket_password=_secret(raw, "obs_websocket_password"),
    )
    if settings.obs_websocket_port is not None and settings.obs_websocket_port == settings.port:
        raise SettingsError("--obs-websocket-port: must differ from --port")
    if settings.width % 2 or settings.height % 2:
        raise SettingsError("--width/--height: must be even (4:2:0 video needs even sizes)")
    if not settings.channel.replace("-", "").replace("_", "").isalnum():
        raise SettingsError("--channel: use letters, digits, '-' and '_' only")
    return settings
