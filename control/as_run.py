"""The as-run log: what went on air, when, and who made each change.

Built from the journal (each commit's version, ops, source and cue, kept in its ``meta`` by the
:class:`~control.committer.Committer`) and the on-air receipts (the frame each version first went
on air). An entry is ``{"frame", "utc", "version", "source", "cue"?, "cue_name"?, "layers",
"on_air"}``: ``frame`` is the receipt's frame (``on_air`` true) or, for a version with no
receipt (not on air yet, or no process renders), its landing frame (``on_air`` false); ``utc``
is that frame's start on the house clock (frame F starts F / fps s after the epoch) in ISO 8601;
``layers`` the ids the commit's ops touch, in op order. Sources: ``http``, ``ws``, ``cue``,
``schedule``, ``controller`` (obs-websocket), ``unknown`` for commits kept before sources were.

A span is ``[from, to]`` with either end a UTC ISO 8601 time (with a zone) or ``frame:N``;
it holds as much as the journal still does (its retention: ``--journal-max``,
``--journal-max-age``).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from compositor.errors import SceneValidationError
from compositor.scene.schedule import MAX_FRAME, resolve_at
from control.landing import landing_of, source_of
from control.store.base import CommitRecord, Store

__all__ = ["CSV_COLUMNS", "as_run", "as_run_csv", "parse_bound", "touched_layers"]

CSV_COLUMNS = ("frame", "utc", "version", "source", "cue", "cue_name", "layers", "on_air")
_PAGE = 1000


def parse_bound(text: str | None, fps: Fraction, path: str, *, end: bool = False) -> int | None:
    """A span end as an absolute frame: ``frame:N``, or a UTC ISO time: the first frame
    starting at or after it (``end``: the last frame starting before it); None when absent.
    ``SceneValidationError`` (422) with ``path`` otherwise."""
    if text is None:
        return None
    if text.startswith("frame:"):
        digits = text.removeprefix("frame:")
        if digits.isascii() and digits.isdigit() and int(digits) <= MAX_FRAME:
            return int(digits)
        raise SceneValidationError(path, "frame:N needs a frame number N >= 0")
    try:
        if text != text.strip():
            raise SceneValidationError(path, "has spaces around it")
        frame = resolve_at({"utc": text}, 0, fps, path)
    except SceneValidationError:
        raise SceneValidationError(path, "must be frame:N or an ISO 8601 time with a zone "
                                         "(2026-12-02T20:14:03Z)") from None
    return frame - 1 if end else frame


def touched_layers(record: CommitRecord) -> list[str]:
    """The layer ids a commit's ops touch, once each, in op order."""
    ids: list[str] = []
    for op in record.ops:
        layer = op.get("layer")
        layer_id = layer.get("id") if isinstance(layer, dict) else op.get("id")
        if isinstance(layer_id, str) and layer_id not in ids:
            ids.append(layer_id)
    return ids


def _utc(frame: int, fps: Fraction) -> str:
    moment = datetime.fromtimestamp(float(Fraction(frame) / fps), UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _entry(store: Store, record: CommitRecord, fps: Fraction) -> dict[str, Any] | None:
    receipt = await store.get_receipt(record.version)
    frame = receipt.frame if receipt is not None else landing_of(record).frame
    if frame is None:
        return None  # applied without a clock: it never had a frame
    source, cue = source_of(record)
    entry: dict[str, Any] = {"frame": frame, "utc": _utc(frame, fps),
                             "version": record.version, "source": source}
    if cue is not None:
        entry["cue"] = cue
        name = (record.meta or {}).get("cue_name")
        entry["cue_name"] = name if isinstance(name, str) else None
    entry["layers"] = touched_layers(record)
    entry["on_air"] = receipt is not None
    return entry


async def as_run(store: Store, fps: Fraction, first: int | None = None,
                 last: int | None = None) -> list[dict[str, Any]]:
    """The entries whose frame is in ``[first, last]`` (None: open), oldest version first."""
    entries: list[dict[str, Any]] = []
    since = 0
    while True:
        records = await store.journal(since, _PAGE)
        for record in records:
            entry = await _entry(store, record, fps)
            if entry is not None and (first is None or entry["frame"] >= first) and (
                    last is None or entry["frame"] <= last):
                entries.append(entry)
        if len(records) < _PAGE:
            return entries
        since = records[-1].version


def as_run_csv(entries: list[dict[str, Any]]) -> str:
    """CSV with a header row (:data:`CSV_COLUMNS`); layers are space-separated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = {**entry, "layers": " ".join(entry["layers"]),
               "on_air": "true" if entry["on_air"] else "false"}
        writer.writerow(["" if row.get(column) is None else row[column]
                         for column in CSV_COLUMNS])
    return out.getvalue()


