"""Texture cache, release of GL objects, the GL error flag and skipped (broken) layers."""

from __future__ import annotations

import numpy as np
import pytest

from compositor.gl.context import GLContext
from compositor.gl.fence import GLSync
from compositor.scene import (
    Blend,
    Color,
    ColorContent,
    ImageContent,
    Layer,
    Scene,
    TextContent,
    Transform,
)
from tests.compositor.gl.conftest import MakeRenderer
from tests.compositor.gl.support import asset_id, encode, gradient_rgba

W, H = 64, 36


def image_assets(count: int) -> dict[str, bytes]:
    assets = {}
    for index in range(count):
        pixels = gradient_rgba(8, 6)
        pixels[0, 0, 0] = index  # distinct content, distinct asset id
        pixels[0, 0, 1] = index // 256
        data = encode(pixels)
        assets[asset_id(data)] = data
    return assets


def layers_for(assets: dict[str, bytes]) -> tuple[Layer, ...]:
    layers = []
    for index, aid in enumerate(assets):
        xy = Transform(x_px=index % 50, y_px=index % 30)
        layers.append(Layer(f"i{index}", "image", ImageContent(aid), transform=xy))
        text = TextContent(f"n{index}", size_px=10)
        layers.append(Layer(f"t{index}", "text", text, transform=xy))
    return tuple(layers)


def live_textures(sync: GLSync) -> int:
    return sync.count_textures(4096)


def test_adding_and_removing_100_layers_releases_their_textures(
    gl: GLContext, make_renderer: MakeRenderer
) -> None:
    sync = GLSync()
    assets = image_assets(100)
    renderer = make_renderer(W, H, assets)
    empty = Scene(width=W, height=H)
    renderer.render(empty, 0)
    before = live_textures(sync)
    renderer.render(Scene(width=W, height=H, layers=layers_for(assets)), 1)
    assert renderer.problems() == {}
    assert renderer.stats()["textures"] == 200
    assert live_textures(sync) == before + 200
    renderer.render(empty, 2)
    assert renderer.stats()["textures"] == 0 and renderer.stats()["texture_bytes"] == 0
    assert live_textures(sync) == before
    assert renderer.stats()["gl_errors"] == 0 and gl.ctx.error == "GL_NO_ERROR"


def test_release_frees_every_texture(gl: GLContext, make_renderer: MakeRenderer) -> None:
    sync = GLSync()
    baseline = live_textures(sync)
    assets = image_assets(3)
    renderer = make_renderer(W, H, assets, nv12_method="auto")
    renderer.render(Scene(width=W, height=H, layers=layers_for(assets)), 0)
    renderer.read_rgba()
    assert live_textures(sync) > baseline
    renderer.release()
    assert live_textures(sync) == baseline
    assert gl.ctx.error == "GL_NO_ERROR"


def test_unchanged_content_is_never_uploaded_again(make_renderer: MakeRenderer) -> None:
    assets = image_assets(2)
    renderer = make_renderer(W, H, assets)
    scene = Scene(width=W, height=H, layers=layers_for(assets))
    renderer.render(scene, 0)
    uploads = renderer.stats()["texture_uploads"]
    assert uploads == 4
    for frame in range(1, 5):
        moved = tuple(
            Layer(
                layer.id,
                layer.kind,
                layer.content,
                transform=Transform(x_px=frame, y_px=frame),
                opacity=0.5,
            )
            for layer in scene.layers
        )
        renderer.render(Scene(width=W, height=H, layers=moved), frame)
    stats = renderer.stats()
    assert stats["texture_uploads"] == uploads
    assert stats["texture_hits"] >= 16


def test_two_layers_with_the_same_asset_share_a_texture(make_renderer: MakeRenderer) -> None:
    assets = image_assets(1)
    (aid,) = assets
    layers = tuple(Layer(f"i{n}", "image", ImageContent(aid)) for n in range(3))
    renderer = make_renderer(W, H, assets)
    renderer.render(Scene(width=W, height=H, layers=layers), 0)
    assert renderer.stats()["texture_uploads"] == 1


def test_budget_evicts_hidden_layers_least_recently_used(make_renderer: MakeRenderer) -> None:
    assets = image_assets(4)
    ids = list(assets)
    one_texture = 8 * 6 * 4 * 4 // 3
    renderer = make_renderer(W, H, assets, texture_budget_bytes=2 * one_texture)
    layers = [Layer(f"i{n}", "image", ImageContent(aid)) for n, aid in enumerate(ids)]
    renderer.render(Scene(width=W, height=H, layers=tuple(layers)), 0)
    # All four are drawn: over budget but nothing drawn is evicted.
    assert renderer.stats()["textures"] == 4
    hidden = tuple(
        Layer(layer.id, "image", layer.content, visible=n == 0) for n, layer in enumerate(layers)
    )
    renderer.render(Scene(width=W, height=H, layers=hidden), 1)
    stats = renderer.stats()
    assert stats["textures"] == 2 and stats["texture_evictions"] == 2
    assert stats["texture_bytes"] <= 2 * one_texture


def test_missing_and_broken_assets_are_skipped_and_reported(make_renderer: MakeRenderer) -> None:
    good = encode(gradient_rgba(8, 6, alpha=255))
    broken = b"\x89PNG\r\n\x1a\nnot really"
    assets = {asset_id(good): good, asset_id(broken): broken}
    layers = (
        Layer("ok", "image", ImageContent(asset_id(good)), transform=Transform(x_px=2, y_px=2)),
        Layer("missing", "image", ImageContent("0" * 64)),
        Layer("broken", "image", ImageContent(asset_id(broken))),
        Layer("badfont", "text", TextContent("hello", font="f" * 64)),
        Layer("red", "color", ColorContent(Color(255, 0, 0)), transform=Transform(x_px=40)),
    )
    renderer = make_renderer(W, H, assets)
    for index in range(2):  # the broken decode is remembered, the report stays
        renderer.render(Scene(width=W, height=H, layers=layers), index)
        problems = renderer.problems()
        assert set(problems) == {"missing", "broken", "badfont"}
        assert "missing" in problems["missing"] and "decode" in problems["broken"]
        assert renderer.stats()["skipped_layers"] == 3
    frame = renderer.read_rgba()
    assert (frame[10, 50] == [255, 0, 0, 255]).all()  # later layers still drawn
    assert frame[4, 4, 3] == 255 and frame[4, 4, :3].any()  # the good image too
    assert renderer.stats()["gl_errors"] == 0


def test_missing_asset_that_arrives_later_is_drawn(make_renderer: MakeRenderer) -> None:
    assets: dict[str, bytes] = {}
    data = encode(gradient_rgba(8, 6, alpha=255))
    layer = Layer("late", "image", ImageContent(asset_id(data)))
    renderer = make_renderer(W, H, assets)
    renderer.render(Scene(width=W, height=H, layers=(layer,)), 0)
    assert "late" in renderer.problems()
    assets[asset_id(data)] = data
    renderer.render(Scene(width=W, height=H, layers=(layer,)), 1)
    assert renderer.problems() == {}


@pytest.mark.parametrize("linear_light", [False, True], ids=["srgb", "linear"])
def test_gl_error_flag_is_clear_around_every_render(
    gl: GLContext, make_renderer: MakeRenderer, linear_light: bool
) -> None:
    assets = image_assets(3)
    renderer = make_renderer(W, H, assets, linear_light=linear_light, nv12_method="auto")
    layers = layers_for(assets)
    blends: tuple[Blend, ...] = ("normal", "add", "multiply", "screen")
    for frame in range(8):
        assert gl.ctx.error == "GL_NO_ERROR"
        shown = tuple(
            Layer(layer.id, layer.kind, layer.content, blend=blends[(n + frame) % 4])
            for n, layer in enumerate(layers[: frame % len(layers) + 1])
        )
        renderer.render(Scene(width=W, height=H, layers=shown), frame)
        renderer.completed()
        assert gl.ctx.error == "GL_NO_ERROR"
        renderer.read_rgba()
        assert gl.ctx.error == "GL_NO_ERROR"
    renderer.flush()
    assert renderer.stats()["gl_errors"] == 0 and gl.ctx.error == "GL_NO_ERROR"
    assert np.asarray(renderer.read_rgba()).shape == (H, W, 4)
