"""JSON forms of what the store keeps: scenes, commit records and asset metadata.

Both backends write exactly these shapes, so a journal line on disk and a Redis stream entry hold
the same text. Every reader here turns damaged or foreign data into :class:`CorruptDataError`
naming where it came from (a file path or a Redis key), never a ``KeyError`` or ``TypeError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any, cast

from compositor.errors import SceneError, SceneValidationError
from compositor.scene import Op, Scene
from compositor.scene.codec import (
    DEFAULT_LIMITS,
    Limits,
    decode_ops,
    decode_scene,
    encode_op,
    encode_scene,
)
from control.errors import CorruptDataError
from control.store.base import AssetInfo, CommitRecord, Receipt, ScheduledCommit

__all__ = [
    "ASSET_ID_PATTERN",
    "asset_from_json",
    "asset_to_json",
    "SceneSizeBound",
    "bounded_scene_text",
    "dump_json",
    "is_asset_id",
    "load_json",
    "ops_from_record",
    "ops_to_json",
    "receipt_from_json",
    "receipt_to_json",
    "record_from_json",
    "record_to_json",
    "scheduled_from_json",
    "scheduled_to_json",
    "scene_from_text",
    "scene_to_text",
]

ASSET_ID_PATTERN = re.compile(r"[0-9a-f]{64}")
_ASSET_KINDS = ("image", "font", "video", "audio")


def is_asset_id(asset_id: str) -> bool:
    """A hex sha256 (lower case); anything else never names an asset (and never a file path)."""
    return ASSET_ID_PATTERN.fullmatch(asset_id) is not None


def dump_json(value: Any) -> str:
    """Compact JSON; NaN and infinities are refused (they are not JSON)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def load_json(text: str | bytes, where: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptDataError(f"{where}: not JSON ({exc})") from exc


def scene_to_text(scene: Scene) -> str:
    return dump_json(encode_scene(scene))


def bounded_scene_text(scene: Scene, limits: Limits) -> str:
    """The scene's JSON; :class:`SceneValidationError` (nothing written) when it is larger than
    ``limits.max_scene_bytes``: a scene every client, replica and restart must read whole."""
    text = scene_to_text(scene)
    if len(text) > limits.max_scene_bytes:
        raise SceneValidationError("ops", f"the scene would be {len(text)} bytes of JSON, more "
                                          f"than the limit of {limits.max_scene_bytes}")
    return text


class SceneSizeBound:
    """Keeps a store's scene within ``limits.max_scene_bytes`` without encoding it on every
    commit (that would cost more than the commit): the size is bounded from above (a commit
    grows the JSON by at most ``GROWTH`` times its journal line, plus a layer's defaults per
    op) and measured only when that bound passes half the limit."""

    GROWTH = 8
    LAYER_DEFAULTS_BYTES = 1024

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._bound = 1 << 62  # unknown at first: the first commit measures

    def check(self, scene: Scene, record_bytes: int, op_count: int) -> None:
        """Raise :class:`SceneValidationError` when ``scene`` (after a commit whose journal line
        has ``record_bytes``) is too large."""
        growth = self.GROWTH * record_bytes + self.LAYER_DEFAULTS_BYTES * op_count
        if self._bound + growth <= self._limits.max_scene_bytes // 2:
            self._bound += growth
            return
        self._bound = len(bounded_scene_text(scene, self._limits))



def scene_from_text(text: str | bytes, where: str, *, limits: Limits = DEFAULT_LIMITS) -> Scene:
    try:
        return decode_scene(load_json(text, where), limits=limits)
    except SceneError as exc:
        raise CorruptDataError(f"{where}: not a valid scene ({exc})") from exc


def ops_to_json(ops: Sequence[Op]) -> tuple[dict[str, Any], ...]:
    """The JSON form of ``ops``, deep-copied through text so later changes by the caller to a
    patch dict cannot alter the journal."""
    return tuple(json.loads(dump_json([encode_op(op) for op in ops])))


def ops_from_record(record: CommitRecord, where: str, *, limits: Limits = DEFAULT_LIMITS) -> tuple[
        Op, ...]:
    try:
        return decode_ops(list(record.ops), limits=limits)
    except SceneError as exc:
        raise CorruptDataError(f"{where}: journal entry {record.version} has bad ops ({exc})") \
            from exc


def record_to_json(record: CommitRecord) -> dict[str, Any]:
    return {
        "version": record.version,
        "ops": list(record.ops),
        "at_unix": record.at_unix,
        "author": record.author,
        "meta": record.meta,
        "frame": record.frame,
    }


def record_from_json(value: Any, where: str) -> CommitRecord:
    if not isinstance(value, dict):
        raise CorruptDataError(f"{where}: a journal entry must be an object")
    version, ops, at_unix = value.get("version"), value.get("ops"), value.get("at_unix")
    author, meta, frame = value.get("author"), value.get("meta"), value.get("frame")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CorruptDataError(f"{where}: journal entry has no valid version")
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise CorruptDataError(f"{where}: journal entry {version} has no ops list")
    if isinstance(at_unix, bool) or not isinstance(at_unix, int | float):
        raise CorruptDataError(f"{where}: journal entry {version} has no time")
    if author is not None and not isinstance(author, str):
        raise CorruptDataError(f"{where}: journal entry {version} has a bad author")
    if meta is not None and not isinstance(meta, dict):
        raise CorruptDataError(f"{where}: journal entry {version} has bad meta")
    if frame is not None and not _is_int(frame):
        raise CorruptDataError(f"{where}: journal entry {version} has a bad frame")
    return CommitRecord(version, tuple(cast(list[dict[str, Any]], ops)), float(at_unix), author,
                        cast(dict[str, Any] | None, meta), frame)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def scheduled_to_json(entry: ScheduledCommit) -> dict[str, Any]:
    return {"id": entry.id, "at_frame": entry.at_frame, "ops": list(entry.ops),
            "created_unix": entry.created_unix, "author": entry.author}


def scheduled_from_json(value: Any, where: str) -> ScheduledCommit:
    if not isinstance(value, dict):
        raise CorruptDataError(f"{where}: a scheduled commit must be an object")
    entry_id, at_frame, ops = value.get("id"), value.get("at_frame"), value.get("ops")
    created, author = value.get("created_unix"), value.get("author")
    ok = (isinstance(entry_id, str) and _is_int(at_frame) and isinstance(ops, list)
          and all(isinstance(op, dict) for op in ops)
          and isinstance(created, int | float) and not isinstance(created, bool)
          and (author is None or isinstance(author, str)))
    if not ok:
        raise CorruptDataError(f"{where}: a scheduled commit has bad fields")
    return ScheduledCommit(cast(str, entry_id), cast(int, at_frame),
                           tuple(cast(list[dict[str, Any]], ops)), float(cast(float, created)),
                           cast(str | None, author))


def receipt_to_json(receipt: Receipt) -> dict[str, Any]:
    return asdict(receipt)


def receipt_from_json(value: Any, where: str) -> Receipt:
    if not isinstance(value, dict):
        raise CorruptDataError(f"{where}: a receipt must be an object")
    try:
        receipt = Receipt(**value)
    except TypeError as exc:
        raise CorruptDataError(f"{where}: a receipt has wrong fields ({exc})") from exc
    ok = all(_is_int(v) for v in (receipt.version, receipt.frame, receipt.pts,
                                   receipt.late_frames)) and \
        isinstance(receipt.encoded_unix, int | float)
    if not ok:
        raise CorruptDataError(f"{where}: a receipt has bad values")
    return receipt


def asset_to_json(info: AssetInfo) -> dict[str, Any]:
    return asdict(info)


def asset_from_json(value: Any, where: str) -> AssetInfo:
    if not isinstance(value, dict):
        raise CorruptDataError(f"{where}: asset metadata must be an object")
    try:
        info = AssetInfo(**value)
    except TypeError as exc:
        raise CorruptDataError(f"{where}: asset metadata has wrong fields ({exc})") from exc
    ok = (
        isinstance(info.id, str) and is_asset_id(info.id) and info.sha256 == info.id
        and info.kind in _ASSET_KINDS and isinstance(info.content_type, str)
        and all(v is None or (isinstance(v, int) and not isinstance(v, bool))
                for v in (info.width, info.height))
        and isinstance(info.bytes, int) and info.bytes >= 0
        and (info.name is None or isinstance(info.name, str))
        and isinstance(info.created_unix, int | float)
        and all(v is None or (isinstance(v, int | float) and not isinstance(v, bool))
                for v in (info.duration_s, info.fps))
        and (info.has_audio is None or isinstance(info.has_audio, bool))
        and all(v is None or isinstance(v, str) for v in (info.video_codec, info.audio_codec))
    )
    if not ok:
        raise CorruptDataError(f"{where}: asset metadata has bad values")
    return info
