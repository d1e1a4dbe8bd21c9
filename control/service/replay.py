"""``compositor render --from-journal FROM TO -o OUT``: re-render what was on air in a span.

FROM and TO are absolute frames (``frame:N`` or ``N``) or UTC ISO 8601 times with a zone, as
the as-run log takes them (``control.as_run.parse_bound``); both ends are included. The store
(``--data-dir`` or ``--redis-url``, as ``serve`` uses) gives the journal, replayed with the exact
scene after each commit (``Store.subscribe`` from before its oldest entry), and the on-air
receipts, the frame each version first went on air. Frame F of the span is then the scene of the
newest version on air at F, evaluated at F exactly as the live pipeline evaluated it
(``PipelineConfig.evaluate``), so the pictures equal the program's frame by frame. A version
without a receipt (nothing rendered it, or the receipts were lost) is placed on its landing
frame, with a warning. A span before the oldest scene the journal holds is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import sys
from dataclasses import dataclass, replace
from fractions import Fraction

from compositor.pipeline import NaturalSize
from compositor.scene import Scene, animation, scene_assets
from control.as_run import parse_bound
from control.errors import ControlError
from control.landing import landing_of
from control.service.settings import Settings
from control.store.base import Store

__all__ = ["Timeline", "load_timeline", "replay_main"]


@dataclass(frozen=True, slots=True)
class Timeline:
    """Scenes by the frame they went on air, oldest first (frames never decrease)."""

    frames: tuple[int, ...]
    scenes: tuple[Scene, ...]
    guessed: tuple[int, ...]  # versions placed on their landing frame (no receipt)

    def at(self, frame: int) -> Scene:
        """The scene on air at ``frame``; ``ValueError`` before the first one."""
        index = bisect.bisect_right(self.frames, frame) - 1
        if index < 0:
            raise ValueError(f"frame {frame} is older than the journal")
        return self.scenes[index]


async def _scenes(store: Store) -> list[tuple[Scene, int | None]]:
    """(scene, landing frame) after each commit the journal holds, oldest first."""
    current = await store.read()
    records = await store.journal(0, store.journal_max)
    if not records:
        return [(current, None)]
    feed = store.subscribe(records[0].version - 1)
    found: list[tuple[Scene, int | None]] = []
    try:
        async for change in feed:
            found.append((change.scene, landing_of(change.commit).frame))
            if change.version >= current.version:
                break
    finally:
        await feed.aclose()
    return found


async def load_timeline(store: Store) -> Timeline:
    frames: list[int] = []
    scenes: list[Scene] = []
    guessed: list[int] = []
    for scene, landed in await _scenes(store):
        receipt = await store.get_receipt(scene.version)
        frame = receipt.frame if receipt is not None else landed
        if receipt is None:
            guessed.append(scene.version)
        if frame is None:
            continue
        if frames and frame < frames[-1]:
            frame = frames[-1]  # superseded on the same frame: the newer one aired
        frames.append(frame)
        scenes.append(scene)
    return Timeline(tuple(frames), tuple(scenes), tuple(guessed))


async def _load(settings: Settings) -> tuple[Timeline, dict[str, bytes]]:
    from control.service.stores import open_store

    store = open_store(settings)
    try:
        timeline = await load_timeline(store)
        ids = sorted({a for scene in timeline.scenes for a in scene_assets(scene)})
        assets = {}
        for asset_id in ids:
            try:
                assets[asset_id] = await store.get_asset(asset_id)
            except ControlError:
                print(f"compositor render: asset {asset_id} is gone; drawn as nothing",
                      file=sys.stderr)
        return timeline, assets
    finally:
        await store.close()


def _bounds(args: argparse.Namespace, fps: Fraction) -> tuple[int, int]:
    texts = [t if not t.isdigit() else f"frame:{t}" for t in args.from_journal]
    first = parse_bound(texts[0], fps, "FROM")
    last = parse_bound(texts[1], fps, "TO", end=True)
    assert first is not None and last is not None
    if last < first:
        raise ValueError("TO is before FROM")
    return first, last


def replay_main(settings: Settings, args: argparse.Namespace) -> int:
    """Render the span ``args.from_journal`` to ``args.out``; 0 on success."""
    from control.service.render import run_offline

    try:
        timeline, assets = asyncio.run(_load(settings))
        fps = timeline.scenes[-1].fps
        first, last = _bounds(args, fps)
        start = timeline.at(first)
    except Exception as exc:  # any store or span problem: one line
        print(f"compositor render: --from-journal: {exc}", file=sys.stderr)
        return 1
    if timeline.guessed:
        print(f"compositor render: versions without an on-air receipt, placed on their landing "
              f"frame: {', '.join(map(str, timeline.guessed[:20]))}", file=sys.stderr)

    def evaluate(scene: Scene, frame: int, natural_size: NaturalSize) -> Scene:
        return animation.evaluate_with_sizes(timeline.at(frame), frame, natural_size)

    config = replace(settings.pipeline_config(start), outputs=(args.out,),
                     x264_preset=getattr(args, "preset", None) or "veryfast",
                     audio=not getattr(args, "no_audio", False), evaluate=evaluate,
                     is_animating=lambda scene, frame: True,
                     ).offline(first, last - first + 1)
    return run_offline(config, start, assets, args, last - first + 1)
