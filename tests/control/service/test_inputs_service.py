"""Live inputs in the service wiring: readers follow inputs created and deleted through another
replica on the same Redis, and ``compositor render`` shows input layers as their fallback and
says so once."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import numpy as np
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from compositor.inputs import InputSpec, LossPolicy
from control.service.cli import main
from control.service.inputs import ServiceInputs
from control.store.embedded import EmbeddedStore
from control.store.redis import RedisStore
from tests.compositor.media import decode_file
from tests.servers import RedisServer


def test_readers_follow_another_replica(tmp_path: Path) -> None:
    async def scenario(url: str) -> None:
        writer = RedisStore.from_url(url, channel="c")
        reader_store = RedisStore.from_url(url, channel="c")
        registry = CollectorRegistry()
        inputs = ServiceInputs(reader_store, registry, live=True, poll_s=0.1)
        follower = asyncio.create_task(inputs.run())
        try:
            assert inputs.hub is not None
            await writer.put_input(InputSpec(id="cam", url="udp://127.0.0.1:9"))
            deadline = time.monotonic() + 5
            while inputs.hub.ids() != ["cam"] and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert inputs.hub.ids() == ["cam"]
            assert 'compositor_input_state{input="cam"' in generate_latest(registry).decode()
            spec = await writer.get_input("cam")
            assert spec is not None
            assert inputs.status(spec)["id"] == "cam"
            await writer.delete_input("cam")
            deadline = time.monotonic() + 5
            while inputs.hub.ids() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert inputs.hub.ids() == []
        finally:
            follower.cancel()
            await asyncio.to_thread(inputs.close)
            await writer.close()
            await reader_store.close()

    with RedisServer(tmp_path / "redis") as redis:
        asyncio.run(scenario(redis.url))


SCENE = {"width": 160, "height": 90, "fps": 25, "background": "#0000FFFF", "layers": [
    {"id": "pip", "kind": "video", "content": {"input": "cam"},
     "transform": {"x": 0, "y": 0, "width": 80, "height": 45}},
    {"id": "pip2", "kind": "video", "content": {"input": "cam"}}]}


def test_offline_render_shows_fallbacks_and_says_so_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d"

    async def define() -> None:
        store = EmbeddedStore(data)
        await store.put_input(InputSpec(id="cam", url="rtmp://127.0.0.1:1/live/secret",
                                        loss=LossPolicy(then="black")))
        await store.close()

    asyncio.run(define())
    scene_path = tmp_path / "scene.json"
    scene_path.write_text(json.dumps(SCENE))
    out = tmp_path / "out.mp4"
    code = main(["render", str(scene_path), "--seconds", "0.4", "-o", str(out), "--no-progress",
                 "--encoder", "x264", "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert err.count("offline render: live inputs are not read") == 1
    assert "cam: black" in err and "secret" not in err
    got = decode_file(str(out))
    assert len(got.frames) == 10
    assert np.abs(got.frames[-1][70, 120].astype(int) - (0, 0, 255)).max() <= 40
