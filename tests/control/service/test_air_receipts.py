"""AirReceipts: the pipeline's on-air reports become store receipts, superseded versions too."""

from __future__ import annotations

import asyncio
import contextlib
from fractions import Fraction

from compositor.pipeline import AppliedFrame
from control.service.program import AirReceipts
from control.store.base import Receipt
from control.store.embedded import EmbeddedStore
from tests.polling import run_in_thread


def _applied(version: int, frame: int, at_frame: int | None = None) -> AppliedFrame:
    return AppliedFrame(version, frame, frame - 1000, Fraction(1, 30), 5.0,
                        max(0, frame - at_frame) if at_frame is not None else 0)


def test_receipts_name_the_frame_and_lateness_of_each_version() -> None:
    async def scenario() -> list[Receipt | None]:
        store = EmbeddedStore(None)
        receipts = AirReceipts(store)
        task = asyncio.create_task(receipts.run())
        receipts.committed(2, None)
        receipts.committed(3, 1010)  # scheduled for 1010
        receipts.committed(4, 1012)  # held for its frame, superseding 3 before it aired
        receipts.on_applied(_applied(1, 1005))  # the start-up scene (no commit seen)
        receipts.on_applied(_applied(2, 1006))
        receipts.on_applied(_applied(4, 1012, 1012))  # 3's changes are in 4
        receipts.committed(5, 1020)
        receipts.on_applied(_applied(5, 1023, 1020))  # three frames late
        for _ in range(100):
            if await store.get_receipt(5) is not None:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return [await store.get_receipt(v) for v in range(1, 7)]

    assert run_in_thread(scenario()) == [
        Receipt(1, 1005, 5, 0, 5.0),
        Receipt(2, 1006, 6, 0, 5.0),
        Receipt(3, 1012, 12, 2, 5.0),
        Receipt(4, 1012, 12, 0, 5.0),
        Receipt(5, 1023, 23, 3, 5.0),
        None,
    ]
