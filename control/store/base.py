"""The store interface: the single source of truth for the scene and the assets.

Two implementations share this contract (and one parametrised test suite): the embedded store
(``memory.py``: in process, persisted under a data directory) and the Redis store (``redis.py``).

Contract:

- :meth:`Store.read` returns the current scene; its ``version`` is the number of commits so far.
- :meth:`Store.commit` applies ops all or nothing (``compositor.scene.ops.apply_ops``) and returns
the
  :class:`CommitRecord`. With ``if_version`` and a stale scene it raises ``VersionConflictError``
  carrying the current version; scene errors (``SceneError``) pass through unchanged and change
  nothing. Without ``if_version`` it retries internally on a race with another writer.
- :meth:`Store.subscribe` yields :class:`Change` items in version order with nothing skipped:
  from ``since`` (exclusive) it first replays the journal when it still holds every missed
  version, else yields one snapshot; then live changes. The iterator ends only when closed.
- The journal is bounded (``journal_max`` newest commits kept).
- A commit lands on ``frame`` (the house clock: absolute frame numbers): ``apply_ops`` starts
  tweens and transitions there and resolves "on_commit" keyframe starts to it. The record keeps
  the frame, so replaying the journal rebuilds exactly the same scenes.
- The schedule holds commits waiting for their frame (:class:`ScheduledCommit`), persisted with
  the scene. :meth:`Store.schedule_take_due` removes and returns the due ones atomically, so with
  several replicas exactly one of them commits each entry; a taken id is remembered (bounded) so
  that cancelling it says "too late" rather than "unknown".
- Receipts (:class:`Receipt`) say on which frame a version first went on air; the first receipt
  of a version wins, at most ``journal_max`` are kept, and :meth:`Store.subscribe_receipts`
  relays new ones to every process using the store.
- Cues (:class:`Cue`) are named, stored commits, at most ``max_cues`` of them (a new one past
  that is a ``QuotaExceededError``); :meth:`Store.get_cue` and :meth:`Store.delete_cue` raise
  ``CueNotFoundError``. :meth:`Store.claim_take` / :meth:`Store.settle_take` make a take with a
  request id happen once (``control.cues.take_cue``), across replicas; the newest
  ``journal_max`` claims are kept.
- Assets are content-addressed: ``id`` is the hex sha256 of the bytes, so a second upload of the
  same bytes returns the existing asset. The store keeps bytes and metadata; validating uploads
  is ``control.assets``' job.
- Live inputs (:class:`~compositor.inputs.spec.InputSpec`, real URLs included) are kept per
  channel by id; every replica of the channel sees the same list.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from compositor.inputs.spec import InputSpec
from compositor.scene import Op, Scene

__all__ = ["AssetInfo", "AssetKind", "CancelResult", "Change", "CommitRecord", "Cue", "Receipt",
           "Rollback", "ScheduledCommit", "Store", "TakeClaim"]


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """One accepted commit, as kept in the journal.

    ``ops`` is the JSON form of the ops as applied (``compositor.scene.codec.encode_op``; ids
    assigned),
    so it can be sent to WebSocket clients as is. ``at_unix`` is the wall-clock acceptance time.
    ``meta`` carries optional extras, JSON data; ``frame`` is the absolute frame the commit
    landed on (None: applied without a clock, every change instant). Both are read as the
    commit's landing through ``control.landing.landing_of`` only.
    """

    version: int
    ops: tuple[dict[str, Any], ...]
    at_unix: float
    author: str | None = None
    meta: dict[str, Any] | None = None
    frame: int | None = None


@dataclass(frozen=True, slots=True)
class ScheduledCommit:
    """A commit waiting in the schedule: ``ops`` in JSON form (ids assigned) to land on the
    absolute frame ``at_frame``. ``id`` is server-assigned (``[A-Za-z0-9_-]``)."""

    id: str
    at_frame: int
    ops: tuple[dict[str, Any], ...]
    created_unix: float
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """Version ``version`` first went on air on absolute ``frame`` (``pts`` in the encoder's
    ``1/fps`` time base), ``late_frames`` after the frame it was scheduled for (0 when on time or
    not scheduled); ``encoded_unix`` is when that frame's encoding finished."""

    version: int
    frame: int
    pts: int
    late_frames: int
    encoded_unix: float


CancelResult = Literal["cancelled", "taken", "unknown"]


@dataclass(frozen=True, slots=True)
class Cue:
    """A named, stored commit: ``ops`` in their JSON form as the client sent them (checked by
    the scene codec; layers without an id get a new one at each take), ``if_version`` the scene
    version a take expects (None: any). Times are Unix seconds."""

    id: str
    name: str
    ops: tuple[dict[str, Any], ...]
    if_version: int | None = None
    created_unix: float = 0.0
    updated_unix: float = 0.0


TakeClaim = int | Literal["claimed", "pending"]
""":meth:`Store.claim_take`'s answer: "claimed" (the caller takes now), "pending" (another take
with that request id is under way) or the version the earlier take committed."""


@dataclass(frozen=True, slots=True)
class Change:
    """An item of the change feed: a commit, or a full snapshot when the journal has a gap."""

    kind: Literal["commit", "snapshot"]
    version: int
    scene: Scene
    commit: CommitRecord | None = None


@dataclass(frozen=True, slots=True)
class Rollback:
    """The store was found holding an older version than this process had seen (Redis restarted
    from an older file, or failed over to a lagging replica): commits ``found_version + 1`` to
    ``seen_version`` are lost, and the stored scene was re-versioned as ``rebased_version`` so
    that version numbers never repeat."""

    found_version: int
    seen_version: int
    rebased_version: int
    at_unix: float


AssetKind = Literal["image", "font", "video", "audio"]


@dataclass(frozen=True, slots=True)
class AssetInfo:
    """What is known of a stored asset. ``width``/``height``: pixels (images; a video's display
    size). The clip fields are None for images and fonts: ``duration_s`` in seconds, ``fps``
    the video stream's average frame rate in frames per second, ``has_audio`` whether it has
    a sound stream, the codecs by FFmpeg name (``h264``, ``aac``)."""

    id: str  # hex sha256 of the bytes
    kind: AssetKind
    content_type: str
    width: int | None  # images and videos
    height: int | None
    bytes: int
    sha256: str
    name: str | None = None  # the uploaded file name, if any
    created_unix: float = 0.0
    duration_s: float | None = None
    fps: float | None = None
    has_audio: bool | None = None
    video_codec: str | None = None
    audio_codec: str | None = None

    @property
    def is_clip(self) -> bool:
        """A video or audio clip: kept and read as a file (``Store.asset_file``)."""
        return self.kind in ("video", "audio")


class Store(Protocol):
    journal_max: int

    @property
    def last_rollback(self) -> Rollback | None:
        """The last time the store was found gone back in time (None: never)."""

    async def initialize(self, scene: Scene) -> Scene:
        """Write ``scene`` when the store holds none yet (first start); return the stored scene."""
        ...

    async def read(self) -> Scene: ...

    async def commit(
        self, ops: Sequence[Op], *, if_version: int | None = None, author: str | None = None,
        meta: dict[str, Any] | None = None, frame: int | None = None,
    ) -> CommitRecord: ...

    def subscribe(self, since: int | None = None) -> AsyncGenerator[Change, None]:
        """The change feed; ``aclose()`` it (or leave ``async for``) to unsubscribe."""
        ...

    async def journal(self, since: int = 0, limit: int = 1000) -> list[CommitRecord]: ...

    async def schedule_put(self, entry: ScheduledCommit) -> None: ...

    async def schedule_list(self) -> list[ScheduledCommit]:
        """Pending entries, earliest ``at_frame`` first."""
        ...

    async def schedule_cancel(self, entry_id: str) -> CancelResult:
        """Remove a pending entry: "cancelled"; "taken" when it was already taken to be
        committed; "unknown" otherwise."""
        ...

    async def schedule_take_due(self, until_frame: int) -> list[ScheduledCommit]:
        """Remove and return, atomically, every entry with ``at_frame <= until_frame``."""
        ...

    async def put_receipt(self, receipt: Receipt) -> bool:
        """Keep ``receipt`` and relay it; False (nothing changes) when the version has one."""
        ...

    async def get_receipt(self, version: int) -> Receipt | None: ...

    def subscribe_receipts(self) -> AsyncGenerator[Receipt, None]:
        """Receipts put from now on, by any process; ``aclose()`` it to unsubscribe."""
        ...

    async def put_cue(self, cue: Cue) -> Cue:
        """Create or replace ``cue`` (by id); ``QuotaExceededError`` when a new one would make
        more than ``max_cues``."""
        ...

    async def get_cue(self, cue_id: str) -> Cue: ...

    async def list_cues(self) -> list[Cue]:
        """Every cue, by name then id."""
        ...

    async def delete_cue(self, cue_id: str) -> None: ...

    async def claim_take(self, key: str) -> TakeClaim:
        """Atomically claim take ``key`` (a cue id and a request id), or say who has it."""
        ...

    async def settle_take(self, key: str, version: int | None) -> None:
        """The claimed take committed ``version``; None: it failed (the claim is dropped)."""
        ...

    async def put_asset(self, data: bytes, info: AssetInfo) -> AssetInfo: ...

    def upload_dir(self) -> Path:
        """A local folder for files on their way in (an upload being received): on the same
        file system as the asset files where the store keeps any, so that
        :meth:`put_asset_file` moves rather than copies. Created on demand."""
        ...

    async def put_asset_file(self, path: Path, info: AssetInfo) -> AssetInfo:
        """Keep the file at ``path`` as an asset (for clips: never read whole into memory).

        ``info.sha256`` and ``info.bytes`` must be the file's (the caller measured them while
        writing it; a backend that reads the file checks them, and refuses a mismatch with
        ``CorruptDataError``). The file is consumed: moved in or removed, also on failure.
        Returns the stored info (the existing one when those bytes are already stored)."""
        ...

    async def asset_file(self, asset_id: str) -> Path:
        """A local, readable file holding the asset's bytes (embedded: the stored file itself;
        Redis: a cache file under the store's cache folder, fetched and verified against the
        sha256 on first use; concurrent callers share one download). ``AssetNotFoundError``
        when there is no such asset; ``CorruptDataError`` when the bytes do not match."""
        ...

    async def get_asset(self, asset_id: str) -> bytes: ...

    async def asset_info(self, asset_id: str) -> AssetInfo: ...

    async def list_assets(self) -> list[AssetInfo]: ...

    async def delete_asset(self, asset_id: str) -> None: ...

    async def forget_asset_file(self, asset_id: str) -> bool:
        """Remove this process's local copy of the bytes of an asset that no longer exists
        (deleted, perhaps by another process); True when there was one to remove. Redis: the
        cache file under the store's cache folder; embedded: nothing (the stored file went
        with the asset). An asset that still exists keeps its copy (False)."""
        ...

    # --- live inputs: definitions by id (their status lives with the readers) --------------

    async def put_input(self, spec: InputSpec) -> None:
        """Keep ``spec`` (create, or replace the input with that id)."""
        ...

    async def get_input(self, input_id: str) -> InputSpec | None: ...

    async def list_inputs(self) -> list[InputSpec]:
        """Every input of the channel, oldest first."""
        ...

    async def delete_input(self, input_id: str) -> bool:
        """Remove an input; False when there was none."""
        ...

    async def close(self) -> None: ...
