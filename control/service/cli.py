"""``compositor``: the command line.

Subcommands are thin: they parse flags, build :class:`control.service.settings.Settings` and call
the
module that owns the work (``control.service.serve`` for ``serve`` and ``asset``,
``control.service.render`` for ``render``). Heavy imports happen only inside the chosen subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Sequence

from control.service.settings import SettingsError, add_settings_arguments, load_settings

__all__ = ["build_parser", "main"]

# subcommand -> (module, function): the function takes (Settings, argparse.Namespace) -> int
_COMMANDS = {
    "serve": ("control.service.serve", "serve_main"),
    "render": ("control.service.render", "render_main"),
    "asset": ("control.service.serve", "asset_main"),
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
    )
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="run the control plane and the render loop")
    add_settings_arguments(serve)
    serve.add_argument("--demo", action="store_true",
                       help="create the demo scene when the store is empty")
    serve.add_argument("--no-render", action="store_true",
                       help="control plane only (another replica renders this channel)")

    render = sub.add_parser("render", help="render a scene file offline, as fast as possible")
    add_settings_arguments(render)
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
    render.add_argument("--no-audio", action="store_true", help="no silent audio track")

    as_run = sub.add_parser("as-run", help="what went on air (asks the running service)")
    add_settings_arguments(as_run)
    as_run.add_argument("--from", dest="start", default=None,
                        help="UTC ISO time (with a zone) or frame:N")
    as_run.add_argument("--to", dest="end", default=None,
                        help="UTC ISO time (with a zone) or frame:N")
    as_run.add_argument("--csv", action="store_true", help="CSV instead of JSON lines")
    as_run.add_argument("--url", default=None,
                        help="the service (default http://HOST:PORT from the settings)")

    asset = sub.add_parser("asset", help="manage assets in the store")
    asset_sub = asset.add_subparsers(dest="asset_command", metavar="ACTION", required=True)
    add = asset_sub.add_parser("add", help="import images and fonts; prints one JSON line each")
    add_settings_arguments(add)
    add.add_argument("files", nargs="+", help="image (PNG, JPEG, WebP, GIF) or font (TTF, OTF)")
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
    args = parser.parse_args(argv)
    if args.command == "render":
        _check_render(parser, args)
    try:
        settings = load_settings(args)
    except SettingsError as exc:
        parser.error(str(exc))
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
