"""The cue part of the store contract, against both backends: kept across a reopen, bounded,
404s, and take claims that let exactly one of several takes with a request id commit."""

from __future__ import annotations

import asyncio

import pytest

from control.errors import CueNotFoundError, QuotaExceededError
from control.store.base import Cue
from tests.control.store.conftest import StoreFactory

pytestmark = pytest.mark.anyio


def _cue(cue_id: str, name: str = "Look") -> Cue:
    return Cue(cue_id, name, ({"op": "remove", "id": "x"},), None, 1.0, 2.0)


async def test_cues_are_kept_listed_by_name_and_survive_a_reopen(
        make_store: StoreFactory) -> None:
    store = make_store(max_cues=2)
    assert await store.list_cues() == []
    await store.put_cue(_cue("b", "Alpha"))
    await store.put_cue(_cue("a", "Beta"))
    assert [c.id for c in await store.list_cues()] == ["b", "a"]
    with pytest.raises(QuotaExceededError):
        await store.put_cue(_cue("c"))
    replaced = Cue("a", "Beta 2", (), 7, 1.0, 3.0)
    assert await store.put_cue(replaced) == replaced  # replacing is not a new cue
    await store.close()
    reopened = make_store(max_cues=2)
    assert await reopened.get_cue("a") == replaced
    await reopened.delete_cue("b")
    with pytest.raises(CueNotFoundError):
        await reopened.get_cue("b")
    with pytest.raises(CueNotFoundError):
        await reopened.delete_cue("b")
    assert [c.id for c in await reopened.list_cues()] == ["a"]


async def test_take_claims_admit_one_taker(make_store: StoreFactory) -> None:
    store = make_store()
    claims = await asyncio.gather(*(store.claim_take("c/r1") for _ in range(8)))
    assert sorted(claims, key=str) == ["claimed"] + ["pending"] * 7
    await store.settle_take("c/r1", 12)
    assert await store.claim_take("c/r1") == 12
    assert await store.claim_take("c/r2") == "claimed"
    await store.settle_take("c/r2", None)  # failed: claimable again
    assert await store.claim_take("c/r2") == "claimed"


async def test_the_journal_keeps_no_commit_older_than_its_age(make_store: StoreFactory) -> None:
    now = [1000.0]
    store = make_store(journal_max_age_s=50.0, clock=lambda: now[0])
    for version in range(1, 33):  # one commit every 10 s, the last at +310 s
        now[0] = 1000.0 + 10 * (version - 1)
        await store.commit([], frame=version)
    kept = [record.version for record in await store.journal(0)]
    assert kept == list(range(27, 33))  # made at +260 s or later
