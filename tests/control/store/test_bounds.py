"""Both stores bound what a client can make them hold: the scene's size (a commit past it is
refused and changes nothing) and the journal's bytes (as well as its count)."""

from __future__ import annotations

import pytest

from compositor.errors import SceneValidationError
from compositor.scene import AddLayer, UpdateLayer
from compositor.scene.codec import Limits, decode_layer
from control.store.records import scene_to_text
from tests.control.store.conftest import StoreFactory

pytestmark = pytest.mark.anyio


def _text_layer(layer_id: str, chars: int) -> AddLayer:
    return AddLayer(decode_layer({"id": layer_id, "kind": "text", "content": {
        "text": "x" * chars, "max_width_px": 1000}}))


async def test_a_commit_past_the_scene_size_limit_is_refused(make_store: StoreFactory) -> None:
    store = make_store(limits=Limits(max_scene_bytes=20_000))
    added = 0
    with pytest.raises(SceneValidationError) as refused:
        for i in range(40):
            await store.commit([_text_layer(f"t{i}", 1000)])
            added += 1
    assert refused.value.path == "ops" and "20000" in refused.value.reason
    scene = await store.read()
    assert len(scene.layers) == added and scene.version == added  # the refused one left nothing
    assert len(scene_to_text(scene)) <= 20_000 < len(scene_to_text(scene)) + 1500
    # Shrinking is still possible, and then growing again.
    await store.commit([UpdateLayer("t0", {"content": {"text": "x"}})])
    await store.commit([_text_layer("again", 500)])


async def test_the_journal_is_bounded_in_bytes(make_store: StoreFactory) -> None:
    store = make_store(journal_max_bytes=20_000)
    await store.commit([_text_layer("t", 10)])
    for i in range(60):
        await store.commit([UpdateLayer("t", {"content": {"text": f"{i}" * 1000}})])
    records = await store.journal(0)
    assert records[-1].version == 61
    assert len(records) < 40  # ~1 kB a commit: 20 kB kept, not the 1000 commits of the count
