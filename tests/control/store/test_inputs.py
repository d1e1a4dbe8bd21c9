"""Live inputs in the store contract, on both backends: kept by id with their real URL,
replaced by id, listed oldest first, deleted, read back after a restart, and refused when what
is stored is not an input."""

from __future__ import annotations

import pytest

from compositor.inputs import InputSpec, LossPolicy
from control.errors import CorruptDataError
from control.store.embedded import EmbeddedStore
from tests.control.store.conftest import StoreFactory

pytestmark = pytest.mark.anyio

CAM = InputSpec(id="cam", url="rtmp://h/live/secret-key", latency_ms=100,
                loss=LossPolicy(hold_ms=800, then="black"), created_unix=2.0)
SRT = InputSpec(id="remote", url="srt://h:9000?passphrase=p4ssw0rd12", created_unix=1.0)


async def test_put_get_list_delete(make_store: StoreFactory) -> None:
    store = make_store()
    assert await store.list_inputs() == []
    assert await store.get_input("cam") is None
    await store.put_input(CAM)
    await store.put_input(SRT)
    assert await store.get_input("cam") == CAM  # the real URL: the readers need it
    assert [s.id for s in await store.list_inputs()] == ["remote", "cam"]
    moved = InputSpec(id="cam", url="udp://@:5000", created_unix=2.0)
    await store.put_input(moved)
    assert await store.get_input("cam") == moved
    assert await store.delete_input("cam") is True
    assert await store.delete_input("cam") is False
    assert await store.list_inputs() == [SRT]


async def test_kept_across_a_restart(make_store: StoreFactory) -> None:
    first = make_store()
    await first.put_input(CAM)
    await first.close()
    again = make_store()
    assert await again.list_inputs() == [CAM]


async def test_damaged_data_is_reported(make_store: StoreFactory, backend: str) -> None:
    store = make_store()
    await store.put_input(CAM)
    if backend == "embedded":
        assert isinstance(store, EmbeddedStore)
        path = make_store.data_dir / "channels" / make_store.channel / "inputs.json"
        await store.close()
        path.write_text('{"inputs": [{"id": "x", "url": "ftp://nope"}]}')
        store = make_store()
    else:
        from control.store.redis import RedisStore
        assert isinstance(store, RedisStore)
        await store._link.client.hset(f"compositor:{make_store.channel}:inputs", "x",
                                      b'{"id": "x", "url": "ftp://nope"}')
    with pytest.raises(CorruptDataError, match="url"):
        await store.list_inputs()
