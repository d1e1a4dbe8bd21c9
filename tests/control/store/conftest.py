"""Fixtures for the store tests: every contract test runs against both backends.

``make_store`` opens stores of the test's backend (``embedded``: the embedded store under a
temporary data dir; ``redis``: the Redis store on a real ``redis-server`` shared by the session,
with a channel of its own per test), closing them all at teardown. Calling it twice with the same
``channel`` opens the same data again, as a restarted process would.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from control.store.base import Store
from control.store.embedded import EmbeddedStore
from control.store.redis import RedisStore
from tests.servers import RedisServer

BACKENDS = ("embedded", "redis")
_channels = itertools.count()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


class StoreFactory:
    def __init__(self, backend: str, data_dir: Path, redis_url: str | None) -> None:
        self.backend = backend
        self.data_dir = data_dir
        self.redis_url = redis_url
        self.channel = f"t{next(_channels)}"
        self.opened: list[Store] = []

    def __call__(self, *, channel: str | None = None, **kwargs: Any) -> Store:
        channel = channel or self.channel
        store: Store
        if self.backend == "embedded":
            store = EmbeddedStore(self.data_dir, channel=channel, **kwargs)
        else:
            assert self.redis_url is not None
            store = RedisStore.from_url(self.redis_url, channel=channel, **kwargs)
        self.opened.append(store)
        return store

    async def close_all(self) -> None:
        for store in reversed(self.opened):
            await store.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_store(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[StoreFactory]:
    url = request.getfixturevalue("redis_server").url if backend == "redis" else None
    factory = StoreFactory(backend, tmp_path / "data", url)
    try:
        yield factory
    finally:
        await factory.close_all()


@pytest.fixture
async def store(make_store: StoreFactory) -> Store:
    return make_store()
