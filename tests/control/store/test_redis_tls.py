"""The Redis store over TLS (``rediss://``) against a real TLS-only ``redis-server``.

The server's certificate comes from a throwaway CA and names ``IP:127.0.0.1``; redis-py verifies
the chain and the host name by default (``ssl_cert_reqs=required``, ``ssl_check_hostname``), so
these tests prove real verification, not just encryption.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from control.errors import StoreUnavailableError
from control.service.settings import Settings
from control.service.stores import open_store
from control.store.redis import RedisStore
from tests.control.store.helpers import add, next_changes, rename
from tests.servers import RedisServer, make_tls_files

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis-tls"), tls=True) as server:
        yield server


async def test_commit_read_and_subscribe_over_rediss(tls_redis: RedisServer) -> None:
    assert tls_redis.url.startswith("rediss://127.0.0.1:")
    writer = open_store(Settings(redis_url=tls_redis.url, channel="tls"))
    reader = open_store(Settings(redis_url=tls_redis.url, channel="tls"))  # another machine
    assert isinstance(writer, RedisStore)
    feed = reader.subscribe()
    try:
        await writer.commit([add("a")])
        [snapshot] = await next_changes(feed, 1, timeout_s=5)
        assert (snapshot.kind, snapshot.version) == ("snapshot", 1)
        await writer.commit([rename("a", "over TLS")], author="tls-test")
        [change] = await next_changes(feed, 1, timeout_s=5)
        assert (change.kind, change.version) == ("commit", 2)
        assert change.commit is not None and change.commit.author == "tls-test"
        scene = await reader.read()
        assert scene.version == 2 and scene.layers[0].name == "over TLS"
        assert change.scene == scene
    finally:
        await feed.aclose()
        await reader.close()
        await writer.close()


def _wrong_ca(tls_redis: RedisServer, tmp_path: Path) -> str:
    other = make_tls_files(tmp_path, name="other")  # a CA that never signed the server
    assert tls_redis.tls is not None
    return tls_redis.url.replace(str(tls_redis.tls.ca_cert), str(other.ca_cert))


def _system_cas(tls_redis: RedisServer, tmp_path: Path) -> str:
    return tls_redis.url.split("?")[0]  # no ssl_ca_certs: only the system's CAs are trusted


def _plain(tls_redis: RedisServer, tmp_path: Path) -> str:
    return tls_redis.url.split("?")[0].replace("rediss://", "redis://")  # no TLS at all


@pytest.mark.parametrize("make_url", [_wrong_ca, _system_cas, _plain],
                         ids=["wrong-ca", "system-cas", "plain-redis"])
async def test_an_untrusted_or_plain_connection_fails_fast_and_clearly(
    tls_redis: RedisServer, tmp_path: Path, make_url: Callable[[RedisServer, Path], str]
) -> None:
    url = make_url(tls_redis, tmp_path)
    store = open_store(Settings(redis_url=url, channel="tls-refused"))
    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailableError) as caught:
            await store.read()
    finally:
        await store.close()
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert f"127.0.0.1:{tls_redis.port}" in message
    if url.startswith("rediss://"):
        assert "CERTIFICATE_VERIFY_FAILED" in message, message
    assert elapsed < 4.0, f"took {elapsed:.1f} s to fail: {message}"
