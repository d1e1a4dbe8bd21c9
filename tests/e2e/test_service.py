"""The service's parts and commands: bind refusal, ``asset add``, the demo, commit-to-air."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from compositor.pipeline import AppliedFrame
from compositor.scene import ImageContent
from control.metrics import ControlMetrics
from control.service.demo import CLOCK_ID, install_demo, logo_png
from control.service.program import CommitToAir
from control.service.settings import SettingsError, parse_frame_rate
from control.store.embedded import EmbeddedStore

FONTS = Path(__file__).resolve().parents[2] / "compositor" / "fonts"


def _cli(*args: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "control.service.cli", *args], capture_output=True,
                          text=True, timeout=timeout_s, check=False)


def test_non_loopback_bind_without_token_is_refused() -> None:
    result = _cli("serve", "--host", "0.0.0.0", "--port", "1")
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0" in result.stderr


def test_asset_add_prints_one_json_line_per_file(tmp_path: Path) -> None:
    png = tmp_path / "logo.png"
    png.write_bytes(logo_png(64, 24))
    font = next(iter(sorted(FONTS.glob("*.ttf"))))
    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    result = _cli("asset", "add", str(png), str(font), str(bad),
                  "--data-dir", str(tmp_path / "data"))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1  # one file failed
    assert [line["file"] for line in lines] == [str(png), str(font), str(bad)]
    assert lines[0]["id"] == hashlib.sha256(png.read_bytes()).hexdigest()
    assert (lines[0]["kind"], lines[0]["width"], lines[0]["height"]) == ("image", 64, 24)
    assert lines[1]["kind"] == "font"
    assert "error" in lines[2] and "id" not in lines[2]

    async def stored() -> list[str]:
        store = EmbeddedStore(tmp_path / "data")
        try:
            return sorted(info.id for info in await store.list_assets())
        finally:
            await store.close()

    assert asyncio.run(stored()) == sorted([lines[0]["id"], lines[1]["id"]])


def test_demo_installs_once_on_an_empty_store() -> None:
    async def scenario() -> None:
        store = EmbeddedStore(None)
        assert await install_demo(store, now=lambda: 0.0)
        scene = await store.read()
        ids = [layer.id for layer in scene.layers]
        assert ids == ["background", "logo", "lower-third-bar", "lower-third", CLOCK_ID]
        logo = scene.layers[1].content
        assert isinstance(logo, ImageContent)
        assert (await store.asset_info(logo.asset)).kind == "image"
        assert not await install_demo(store)  # not twice
        await store.close()

    asyncio.run(scenario())


def test_settings_fps() -> None:
    assert parse_frame_rate("60") == 60
    assert parse_frame_rate("29.97") == Fraction(30000, 1001)
    assert parse_frame_rate("30000/1001") == Fraction(30000, 1001)
    with pytest.raises(SettingsError):
        parse_frame_rate("fast")


def test_commit_to_air_observes_every_version_up_to_the_applied_one() -> None:
    metrics = ControlMetrics(CollectorRegistry())
    air = CommitToAir(metrics)
    air.committed(1, 100.0)
    air.committed(2, 100.010)
    air.committed(3, 100.500)
    air.on_applied(AppliedFrame(version=2, frame=10, pts=0, time_base=Fraction(1, 30),
                                encoded_unix=100.050, late_frames=0))
    histogram = metrics.commit_to_air_seconds
    samples = {s.name: s.value for metric in histogram.collect() for s in metric.samples}
    assert samples["compositor_commit_to_air_seconds_count"] == 2
    assert samples["compositor_commit_to_air_seconds_sum"] == pytest.approx(0.090)
    assert air.last is not None and air.last.version == 2
