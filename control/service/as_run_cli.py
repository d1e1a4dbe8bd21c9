"""``compositor as-run [--from X] [--to Y] [--csv] [--url URL]``: the as-run log on stdout.

It asks the running service (``GET /api/v1/as-run``: the journal and the on-air receipts, which
only the store the service uses holds) at ``--url`` (default: the ``--host`` and ``--port``
settings), with the ``--api-token`` when one is set. JSON lines (one entry each) by default,
CSV with ``--csv``. Exit status 1 when the service cannot be reached or refuses.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from control.service.settings import Settings

__all__ = ["as_run_main"]

TIMEOUT_S = 30.0


def _url(settings: Settings, args: argparse.Namespace) -> str:
    base = args.url or f"http://{settings.host}:{settings.port}"
    query = {key: value for key, value in (("from", args.start), ("to", args.end)) if value}
    return base.rstrip("/") + "/api/v1/as-run" + (
        "?" + urllib.parse.urlencode(query) if query else "")


def as_run_main(settings: Settings, args: argparse.Namespace) -> int:
    headers = {"Accept": "text/csv" if args.csv else "application/json"}
    if settings.api_token:
        headers["Authorization"] = f"Bearer {settings.api_token}"
    request = urllib.request.Request(_url(settings, args), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        print(f"compositor as-run: {exc.code}: {exc.read().decode(errors='replace')}",
              file=sys.stderr)
        return 1
    except (OSError, urllib.error.URLError) as exc:
        print(f"compositor as-run: cannot reach the service: {exc}", file=sys.stderr)
        return 1
    if args.csv:
        sys.stdout.write(body.decode())
    else:
        for entry in json.loads(body)["entries"]:
            print(json.dumps(entry, separators=(",", ":")))
    return 0
