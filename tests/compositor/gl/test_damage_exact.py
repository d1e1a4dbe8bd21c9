"""Damaged frames are identical, byte for byte, to frames drawn whole.

Hypothesis builds a random scene and a random run of changes to it (moves, rotation, crop, every
blend mode with ``add`` saturating, opacity, text, z order, visibility, layers appearing and
disappearing, the background), some frames changing nothing and some several things, and, as
the animation system does, an animated scene evaluated frame by frame. One renderer draws only
the damage of each frame, another draws every frame whole; their NV12 frames and their RGBA
frames must be equal exactly, with both NV12 methods.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import msgspec
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compositor.gl.context import GLContext
from compositor.gl.frame_renderer import FrameRenderer
from compositor.scene import (
    Color,
    ColorContent,
    Crop,
    ImageContent,
    Layer,
    Scene,
    TextContent,
    Transform,
    VideoContent,
)
from compositor.scene.animation import evaluate
from compositor.scene.model import Content, Keyframe, KeyframeAnimation, Kind
from tests.compositor.gl.clips import FixedClips, yuv_picture
from tests.compositor.gl.support import asset_id, encode, gradient_rgba

WIDTH, HEIGHT = 96, 64
_IMAGES = [encode(gradient_rgba(40, 24)), encode(gradient_rgba(17, 31, alpha=160))]
ASSETS = {asset_id(data): data for data in _IMAGES}
IMAGE_IDS = list(ASSETS)
BLENDS = ("normal", "add", "multiply", "screen")
WORDS = ("Hi", "Live", "12:00", "12:01", "Go!")

Change = Callable[[Scene], Scene]

# Mostly on screen and overlapping (order matters only where layers overlap), sometimes off it.
coordinate = st.one_of(st.floats(0.0, 60.0), st.floats(-40.0, 110.0)).map(
    lambda v: round(v * 4) / 4)
colour = st.builds(Color, st.integers(0, 255), st.integers(0, 255), st.integers(0, 255),
                   st.sampled_from([0, 90, 200, 255]))
transform = st.builds(
    Transform, x_px=coordinate, y_px=coordinate,
    width_px=st.one_of(st.none(), st.floats(4.0, 70.0)),
    height_px=st.one_of(st.none(), st.floats(4.0, 50.0)),
    anchor_x=st.sampled_from([0.0, 0.5]), anchor_y=st.sampled_from([0.0, 0.5]),
    scale_x=st.sampled_from([1.0, 0.5, 1.5, -1.0]), scale_y=st.sampled_from([1.0, 0.75, 2.0]),
    rotation_deg=st.sampled_from([0.0, 0.0, 90.0, 17.5, -33.0]))
crop = st.one_of(st.just(Crop()), st.builds(Crop, st.floats(0, 0.3), st.floats(0, 0.3),
                                            st.floats(0, 0.3), st.floats(0, 0.3)))
content: st.SearchStrategy[tuple[Kind, Content]] = st.one_of(
    st.builds(ColorContent, colour).map(lambda c: ("color", c)),
    st.sampled_from(IMAGE_IDS).map(lambda a: ("image", ImageContent(a))),
    st.builds(TextContent, st.sampled_from(WORDS), size_px=st.sampled_from([12, 20]),
              color=colour).map(lambda c: ("text", c)))


@st.composite
def layers(draw: st.DrawFn, index: int) -> Layer:
    kind, what = draw(content)
    return Layer(f"l{index}", kind, what, transform=draw(transform), crop=draw(crop),
                 opacity=draw(st.sampled_from([1.0, 1.0, 0.5, 0.0])),
                 blend=draw(st.sampled_from(BLENDS)), visible=draw(st.booleans() | st.just(True)),
                 z=draw(st.integers(0, 4)))


def _replace(scene: Scene, layer_id: str, **changes: object) -> Scene:
    layers_ = tuple(msgspec.structs.replace(layer, **changes) if layer.id == layer_id else layer
                    for layer in scene.layers)
    return msgspec.structs.replace(scene, layers=layers_)


@st.composite
def changes(draw: st.DrawFn, scene: Scene, fresh: int) -> Scene:
    """One frame's change to ``scene`` (or none)."""
    what = draw(st.sampled_from(["none", "move", "transform", "crop", "blend", "opacity", "z",
                                 "swap", "visible", "content", "add", "remove", "background",
                                 "several"]))
    ids = [layer.id for layer in scene.layers]
    if what == "none":
        return scene
    if what == "add" or not ids:
        return msgspec.structs.replace(scene, layers=(*scene.layers, draw(layers(fresh))))
    if what == "background":
        return msgspec.structs.replace(scene, background=draw(colour))
    if what == "several":
        for step in range(draw(st.integers(2, 3))):
            scene = draw(changes(scene, fresh * 10 + step))
        return scene
    if what == "swap":  # two layers trade places in the stack
        if len(ids) < 2:
            return scene
        first, second = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        z = {layer.id: layer.z for layer in scene.layers}
        return _replace(_replace(scene, first, z=z[second] + 1), second, z=z[first])
    target = draw(st.sampled_from(ids))
    layer = next(layer for layer in scene.layers if layer.id == target)
    if what == "remove":
        return msgspec.structs.replace(
            scene, layers=tuple(other for other in scene.layers if other.id != target))
    if what == "move":
        moved = msgspec.structs.replace(layer.transform, x_px=layer.transform.x_px
                                        + draw(st.sampled_from([1.0, -3.0, 0.5, 7.25])))
        return _replace(scene, target, transform=moved)
    if what == "content":
        kind, new = draw(content)
        return _replace(scene, target, kind=kind, content=new)
    value = {"transform": transform, "crop": crop, "blend": st.sampled_from(BLENDS),
             "opacity": st.sampled_from([1.0, 0.25, 0.0]), "z": st.integers(0, 4),
             "visible": st.booleans()}[what]
    return _replace(scene, target, **{what: draw(value)})


@st.composite
def runs(draw: st.DrawFn) -> list[Scene]:
    count = draw(st.integers(1, 5))
    scene = Scene(width=WIDTH, height=HEIGHT, background=draw(colour),
                  layers=tuple(draw(layers(i)) for i in range(count)))
    frames = [scene]
    for step in range(draw(st.integers(3, 7))):
        frames.append(draw(changes(frames[-1], 100 + step)))
    return frames


def _frame(renderer: FrameRenderer, scene: Scene, index: int) -> tuple[bytes, bytes]:
    renderer.render(scene, index, frame=index)
    [(tag, nv12)] = renderer.flush()
    assert tag == index
    return nv12.tobytes(), renderer.read_rgba().tobytes()


def _assert_same_frames(gl: GLContext, method: str, scenes: list[Scene]) -> None:
    damaged = FrameRenderer(gl, WIDTH, HEIGHT, ASSETS.get, nv12_method=method)
    whole = FrameRenderer(gl, WIDTH, HEIGHT, ASSETS.get, nv12_method=method, damage=False)
    try:
        _compare(damaged, whole, scenes)
    finally:
        damaged.release()
        whole.release()
    assert gl.ctx.error == "GL_NO_ERROR"


def _compare(damaged: FrameRenderer, whole: FrameRenderer, scenes: list[Scene]) -> None:
    for index, scene in enumerate(scenes):
        got, want = _frame(damaged, scene, index), _frame(whole, scene, index)
        if got != want:
            y = np.frombuffer(got[0], np.uint8)[: WIDTH * HEIGHT].reshape(HEIGHT, WIDTH)
            ref = np.frombuffer(want[0], np.uint8)[: WIDTH * HEIGHT].reshape(HEIGHT, WIDTH)
            rows, cols = np.nonzero(y != ref)
            raise AssertionError(f"frame {index} differs (luma at rows {sorted(set(rows))[:8]}, "
                                 f"cols {sorted(set(cols))[:8]}): {scene}")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(scenes=runs(), method=st.sampled_from(["fragment", "compute"]))
def test_damaged_frames_equal_whole_frames(gl: GLContext, scenes: list[Scene],
                                           method: str) -> None:
    _assert_same_frames(gl, method, scenes)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=layers(0), other=layers(1), dx=st.floats(-20, 20), turn=st.floats(0, 90),
       frames=st.integers(4, 10))
def test_animated_scene_damaged_equals_whole(gl: GLContext, start: Layer,
                                             other: Layer, dx: float, turn: float,
                                             frames: int) -> None:
    """A keyframed move and turn evaluated frame by frame, over a still layer."""
    moving = msgspec.structs.replace(start, visible=True, opacity=1.0, animations=(
        KeyframeAnimation("transform.x", (Keyframe(0, start.transform.x_px),
                                             Keyframe(frames, start.transform.x_px + dx)),
                          start_frame=0),
        KeyframeAnimation("transform.rotation", (Keyframe(0, 0.0), Keyframe(frames, turn)),
                          start_frame=0),
    ))
    scene = Scene(width=WIDTH, height=HEIGHT, fps=Fraction(30), layers=(other, moving))
    _assert_same_frames(gl, "compute",
                        [evaluate(scene, frame) for frame in range(frames + 2)])


def test_a_still_frame_draws_nothing_and_reads_nothing(gl: GLContext) -> None:
    scene = Scene(width=WIDTH, height=HEIGHT, layers=(
        Layer("a", "color", ColorContent(Color(200, 10, 10, 255)),
              transform=Transform(x_px=10, y_px=10, width_px=20, height_px=10)),))
    renderer = FrameRenderer(gl, WIDTH, HEIGHT, ASSETS.get)
    try:
        _still_and_moved(renderer, scene)
    finally:
        renderer.release()


def _still_and_moved(renderer: FrameRenderer, scene: Scene) -> None:
    _frame(renderer, scene, 0)
    drawn, read = renderer.pixels_drawn, renderer.bytes_read
    assert drawn == WIDTH * HEIGHT and read == WIDTH * HEIGHT * 3 // 2
    _frame(renderer, msgspec.structs.replace(scene, version=5), 1)  # new object, same picture
    assert (renderer.pixels_drawn, renderer.bytes_read) == (drawn, read)
    moved = _replace(scene, "a", transform=Transform(x_px=12, y_px=10, width_px=20,
                                                     height_px=10))
    _frame(renderer, moved, 2)
    # Old and new bounds with a pixel of margin: 24 x 12, in rows 9..21 (even: 8..22).
    assert renderer.pixels_drawn - drawn == 24 * 12
    assert renderer.bytes_read - read == 14 * WIDTH * 3 // 2


def test_a_preview_between_program_frames_makes_the_next_frame_whole(gl: GLContext) -> None:
    """A preview draws another scene into the same framebuffer: the next program frame must not
    be a damaged redraw of what the preview left there."""
    base = Scene(width=WIDTH, height=HEIGHT, layers=(
        Layer("a", "color", ColorContent(Color(20, 200, 10, 255)),
              transform=Transform(x_px=4, y_px=4, width_px=30, height_px=20)),))
    other = msgspec.structs.replace(base, layers=(
        Layer("b", "color", ColorContent(Color(0, 0, 255, 255)),
              transform=Transform(x_px=50, y_px=30, width_px=40, height_px=30)),))
    moved = _replace(base, "a", transform=Transform(x_px=20, y_px=4, width_px=30, height_px=20))
    damaged = FrameRenderer(gl, WIDTH, HEIGHT, ASSETS.get)
    whole = FrameRenderer(gl, WIDTH, HEIGHT, ASSETS.get, damage=False)
    try:
        _frame(damaged, base, 0)
        preview = damaged.draw_rgba(other)
        assert tuple(preview[40, 60]) == (0, 0, 255, 255)
        assert _frame(damaged, moved, 1) == _frame(whole, moved, 1)
    finally:
        damaged.release()
        whole.release()


def test_settled_bottom_layers_are_drawn_once_and_copied_after(gl: GLContext) -> None:
    """Only the top layer moves: from the third frame the two layers under it come from their
    cached composite (built once), and every frame equals a whole one."""
    image = IMAGE_IDS[0]
    under = (Layer("bg", "image", ImageContent(image), transform=Transform(width_px=96,
                                                                           height_px=64)),
             Layer("band", "color", ColorContent(Color(0, 0, 80, 160)),
                   transform=Transform(y_px=40, width_px=96, height_px=20), z=1))

    def at(x: float) -> Scene:
        top = Layer("top", "text", TextContent("Go!", size_px=12), z=2,
                    transform=Transform(x_px=x, y_px=44))
        return Scene(width=WIDTH, height=HEIGHT, layers=(*under, top))

    scenes = [at(float(x)) for x in range(0, 30, 5)]
    damaged = FrameRenderer(gl, WIDTH, HEIGHT, ASSETS.get)
    whole = FrameRenderer(gl, WIDTH, HEIGHT, ASSETS.get, damage=False)
    try:
        _compare(damaged, whole, scenes)
        stats = damaged.stats()
        assert (stats["base_builds"], stats["base_uses"]) == (1, len(scenes) - 2)
        assert whole.stats()["base_uses"] == 0
    finally:
        damaged.release()
        whole.release()


def test_playing_and_held_clips_damage_only_where_their_picture_changed(gl: GLContext) -> None:
    """A playing clip (a new picture each frame) redraws its own rectangle; a held one (the
    same picture) redraws nothing; frames equal whole ones."""
    playing = [yuv_picture(32, 18, key=("p", i), shift=0.1 * i) for i in range(5)]
    clips = FixedClips({"p": ((32.0, 18.0), playing),
                        "h": ((32.0, 18.0), [yuv_picture(32, 18, key=("h", 0))])})
    scene = Scene(width=WIDTH, height=HEIGHT, layers=(
        Layer("bg", "image", ImageContent(IMAGE_IDS[1]),
              transform=Transform(width_px=96, height_px=64)),
        Layer("play", "video", VideoContent(asset="p"), transform=Transform(x_px=4, y_px=4),
              z=1),
        Layer("hold", "video", VideoContent(asset="h"), transform=Transform(x_px=50, y_px=30),
              z=1, blend="screen")))
    damaged = FrameRenderer(gl, WIDTH, HEIGHT, ASSETS.get, clips=clips)
    whole = FrameRenderer(gl, WIDTH, HEIGHT, ASSETS.get, clips=clips, damage=False)
    try:
        for frame in range(5):
            assert _frame(damaged, scene, frame) == _frame(whole, scene, frame)
        # The first frame whole, then the playing clip's 34 x 20 px (with margins) each frame.
        assert damaged.pixels_drawn == WIDTH * HEIGHT + 4 * 34 * 20
    finally:
        damaged.release()
        whole.release()
