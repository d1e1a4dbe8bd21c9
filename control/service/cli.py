"""``compositor``: the command line.

Subcommands are thin: they parse flags, build :class:`control.service.settings.Settings` and call
the module that owns the work (``control.service.serve`` for ``serve``,
``control.service.render`` for ``render``, ``control.service.asset_add`` for ``asset add``).
Heavy imports happen only inside the chosen subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Sequence

from control.service.settings import SettingsError, add_settings_arguments, load_settings

__all__ = ["build_parser", "main"]

_STORE = ("redis_url", "data_dir", "channel")
_LOGS = ("log_level", "log_format")
_SETTINGS_OF: dict[str, tuple[str, ...] | None] = {
    "serve": None,  # every setting
    # The scene file decides size and rate, -o the output: those flags would be ignored.
    "render": (*_STORE, "encoder", "bitrate", "damage", "frame_format", "journal_max",
               "journal_max_age", *_LOGS),
    "asset": (*_STORE, "max_assets", "max_asset_storage", "max_clip_bytes", "max_clip_seconds",
              *_LOGS),
    "as-run": ("host", "port", "api_token", "api_token_file", *_LOGS),
}
"""The settings each subcommand uses: it shows and accepts only their flags."""

_EXAMPLES = """examples:
  compositor serve --demo                              the demo scene on http://127.0.0.1:8080
  compositor serve --output rtmp://live.example.com/app/KEY --width 1280 --height 720 --fps 30
  compositor asset add logo.png Inter.ttf sting.mp4    import into the store (one JSON line each)
  compositor render scene.json --seconds 10 -o out.mp4 offline, as fast as it can
  compositor as-run --from 2026-12-02T20:00:00Z --csv  what went on air (asks the service)

Every setting also reads a COMPOSITOR_* environment variable (the flag wins); see
'compositor serve --help'."""

# subcommand -> (module, function): the function takes (Settings, argparse.Namespace) -> int
_COMMANDS = {
    "serve": ("control.service.serve", "serve_main"),
    "render": ("control.service.render", "render_main"),
    "asset": ("control.service.asset_add", "asset_main"),
    "as-run": ("control.service.as_run_cli", "as_run_main"),
}


def _version() -> str:
    try:
        return importlib.metadata.version("compositor")
    except importlib.metadata.PackageNotFoundError:  # running from a checkout, not installed
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="compositor",
        description="GPU live graphics compositor: a scene of layers rendered with OpenGL, "
        "encoded to H.264 and streamed to RTMP, controlled over HTTP and WebSocket.",
        epilog=_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="run the control plane and the render loop")
    add_settings_arguments(serve, _SETTINGS_OF["serve"])
    serve.add_argument("--demo", action="store_true",
                       help="create the demo scene when the store is empty")
    serve.add_argument("--no-render", action="store_true",
                       help="control plane only (another replica renders this channel)")

    render = sub.add_parser("render", help="render a scene file offline, as fast as possible",
                            description="Render a scene file (its size and rate are the "
                            "scene's) or a span of the journal offline, reading assets from the "
                            "store of --data-dir or --redis-url.")
    add_settings_arguments(render, _SETTINGS_OF["render"])
    render.add_argument("scene", nargs="?", default=None,
                        help="scene JSON file (version may be omitted)")
    render.add_argument("--seconds", type=float, default=None, help="duration to render")
    render.add_argument("--from-journal", nargs=2, metavar=("FROM", "TO"), default=None,
                        help="instead of SCENE: re-render what was on air from FROM to TO "
                             "(frames, frame:N, or UTC ISO times), from the store's journal "
                             "and on-air receipts")
    render.add_argument("-o", dest="out", required=True,
                        help="output file (.mp4, .mkv, .ts, .flv) or rtmp:// URL")
    render.add_argument("--no-progress", action="store_true", help="no progress bar")
    render.add_argument("--start-frame", type=int, default=0,
                        help="absolute frame to start at (animation phase; default 0)")
    render.add_argument("--preset", default=None,
                        help="libx264 preset (default veryfast)")
    render.add_argument("--no-audio", action="store_true",
                        help="no audio track (by default: the program audio, the clips' mixed "
                        "sound, silence when none plays)")

    as_run = sub.add_parser("as-run", help="what went on air (asks the running service)")
    add_settings_arguments(as_run, _SETTINGS_OF["as-run"])
    as_run.add_argument("--from", dest="start", default=None,
                        help="UTC ISO time (with a zone) or frame:N")
    as_run.add_argument("--to", dest="end", default=None,
                        help="UTC ISO time (with a zone) or frame:N")
    as_run.add_argument("--csv", action="store_true", help="CSV instead of JSON lines")
    as_run.add_argument("--url", default=None,
                        help="the service (default http://HOST:PORT from the settings)")

    asset = sub.add_parser("asset", help="manage assets in the store")
    asset_sub = asset.add_subparsers(dest="asset_command", metavar="ACTION", required=True)
    add = asset_sub.add_parser("add", help="import images, fonts and clips; prints one JSON "
                               "line each")
    add_settings_arguments(add, _SETTINGS_OF["asset"])
    add.add_argument("files", nargs="+", help="image (PNG, JPEG, WebP, GIF), font (TTF, OTF), "
                     "video (MP4, MOV, MKV, WebM, TS) or sound (MP3, WAV, AAC, M4A, Ogg, FLAC)")
    parser.set_defaults(_parsers={"serve": serve, "render": render, "as-run": as_run,
                                  "asset": add})
    return parser


def _check_render(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``render`` takes SCENE and --seconds, or --from-journal FROM TO instead."""
    if args.from_journal:
        if args.scene is not None or args.seconds is not None:
            parser.error("--from-journal FROM TO takes no SCENE or --seconds")
        return
    missing = [name for name, value in (("scene", args.scene), ("--seconds", args.seconds))
               if value is None]
    if missing:
        parser.error(f"the following arguments are required: {', '.join(missing)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # Errors name the subcommand's usage: "compositor render: error: ..."
    command_parser: argparse.ArgumentParser = args._parsers[args.command]
    if extra:
        command_parser.error(f"unrecognized arguments: {' '.join(extra)} (see 'compositor "
                             f"{args.command} --help' for what it takes)")
    if args.command == "render":
        _check_render(command_parser, args)
    try:
        settings = load_settings(args)
    except SettingsError as exc:
        command_parser.error(str(exc))
    module_name, function_name = _COMMANDS[args.command]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        print(f"compositor {args.command}: not yet available in this build", file=sys.stderr)
        return 2
    result: int = getattr(module, function_name)(settings, args)
    return result


if __name__ == "__main__":
    sys.exit(main())
