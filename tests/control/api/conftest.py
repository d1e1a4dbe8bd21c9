"""Fixtures for the control API: the real app over the real embedded store.

``make_client(**create_app_kwargs)`` builds an app (fresh registry, in-memory embedded store,
:class:`~tests.control.api.helpers.FakeProgram`) and returns a started ``TestClient``; everything
is closed at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from compositor.scene import Scene
from compositor.scene.codec import Limits
from control.app import create_app
from control.service.settings import Settings
from control.store.embedded import EmbeddedStore
from tests.control.api.helpers import FakeProgram, TestClient

ClientFactory = Callable[..., TestClient]
TEST_HOST = "testserver"


@pytest.fixture
def make_client(tmp_path) -> Iterator[ClientFactory]:
    clients: list[TestClient] = []

    def factory(*, settings: Settings | None = None, program: Any = None,
                store: Any = None, scene: Scene | None = None, **kwargs: Any) -> TestClient:
        settings = settings or Settings(data_dir=tmp_path / "data")
        # Starlette's TestClient calls itself "testserver": a name this service answers to.
        settings = replace(settings, allowed_hosts=(*settings.allowed_hosts, TEST_HOST))
        app = create_app(
            settings.control_config(), store or EmbeddedStore(None, limits=_limits(settings)),
            program or FakeProgram(), registry=CollectorRegistry(),
            initial_scene=scene or Scene(width=320, height=180), owns_store=True, **kwargs)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in reversed(clients):
        client.__exit__(None, None, None)


def _limits(settings: Settings) -> Limits:
    return Limits(max_layers=settings.max_layers)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()


