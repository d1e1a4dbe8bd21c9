"""The embedded store's receipts survive a reopen (receipts.jsonl), bounded, damage skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from control.store.base import Receipt
from control.store.embedded import EmbeddedStore

pytestmark = pytest.mark.anyio


async def test_receipts_are_read_back_after_a_restart(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, journal_max=3)
    for version in range(1, 9):
        assert await store.put_receipt(Receipt(version, 1000 + version, version, 0, 5.0))
    assert not await store.put_receipt(Receipt(8, 2000, 8, 0, 5.0))  # the first one wins
    await store.close()
    path = tmp_path / "channels" / "main" / "receipts.jsonl"
    assert len(path.read_bytes().splitlines()) <= 6  # rewritten when twice the kept ones
    with path.open("ab") as file:
        file.write(b'{"version": 9, "fra')  # a torn last line
    reopened = EmbeddedStore(tmp_path, journal_max=3)
    assert [await reopened.get_receipt(v) for v in (5, 6)] == [None, Receipt(6, 1006, 6, 0, 5.0)]
    assert await reopened.get_receipt(8) == Receipt(8, 1008, 8, 0, 5.0)
    assert await reopened.get_receipt(9) is None
    await reopened.close()
