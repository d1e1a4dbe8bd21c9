"""Enter and exit transitions: effects, their progress, and exiting layers."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from compositor.scene import (
    ImageContent,
    Layer,
    Transform,
    find_layer,
)
from compositor.scene.animation import evaluate, is_animating
from compositor.scene.codec import decode_layer

# --- enter and exit ------------------------------------------------------------------------------
from tests.compositor.scene.animation.helpers import (
    F0,
    add,
    box,
    box_json,
    canvas,
    commit,
    drawn,
    fade,
    on_air,
)


def test_adding_plays_the_enter_from_the_commit_frame():
    scene = commit(canvas(), [add(box(), enter=fade())], F0)
    assert on_air(scene, F0) is None
    assert drawn(scene, F0 + 5).opacity == 0.5
    assert drawn(scene, F0 + 10) is scene.layers[0]
    assert evaluate(scene, F0 + 10) is scene
    assert is_animating(scene, F0 + 10)  # frame F0 + 10 still differs from F0 + 9
    assert not is_animating(scene, F0 + 11)


def test_removing_plays_the_exit_then_the_layer_is_gone_and_pruned():
    exit_left = {"effect": "slide-left", "duration_frames": 10}
    scene = commit(canvas(box(), box("b", z=1)), [add(box("c"), exit=exit_left)], None)
    scene = commit(scene, [{"op": "remove", "id": "c"}], F0)
    assert [layer.id for layer in scene.layers] == ["a", "b"]
    assert [layer.id for layer in scene.exiting] == ["c"]
    # Its box spans x 100..200, so the slide moves it left by 200 px.
    assert [drawn(scene, F0 + f, "c").transform.x_px for f in (0, 5)] == [100, 0]
    assert on_air(scene, F0 + 10, "c") is None
    # Exiting layers are drawn first: under live layers of the same z.
    assert [layer.id for layer in evaluate(scene, F0 + 5).layers] == ["c", "a", "b"]
    later = commit(scene, [{"op": "update", "id": "a", "patch": {"z": 0}}], F0 + 10)
    assert later.exiting == ()


def test_hiding_plays_the_exit_and_showing_the_enter():
    scale = {"effect": "scale", "duration_frames": 10}
    layer = decode_layer({**box_json(), "exit": fade(), "enter": scale})
    hidden = commit(canvas(layer), [{"op": "update", "id": "a", "patch": {"visible": False}}], F0)
    assert drawn(hidden, F0).opacity == 1.0
    assert drawn(hidden, F0 + 5).opacity == 0.5
    assert on_air(hidden, F0 + 10) is None
    shown = commit(hidden, [{"op": "update", "id": "a", "patch": {"visible": True}}], F0 + 20)
    assert on_air(shown, F0 + 20) is None
    assert drawn(shown, F0 + 25).transform.scale_x == 0.5
    assert drawn(shown, F0 + 30).transform.scale_x == 1.0




def test_animate_without_a_transition_fades_in_and_out():
    added = commit(canvas(), [{**add(box()), "animate": {"duration_frames": 4, "delay_frames": 2}}],
                   F0)
    assert [on_air(added, F0 + f) for f in (0, 2)] == [None, None]
    assert drawn(added, F0 + 3).opacity == 0.25
    remove = {"op": "remove", "id": "a", "animate": {"duration_frames": 4}}
    removed = commit(added, [remove], F0 + 10)
    assert drawn(removed, F0 + 11).opacity == 0.75
    assert on_air(removed, F0 + 14) is None


def test_animate_times_the_layers_own_effect():
    scene = commit(canvas(), [{**add(box(), enter={"effect": "scale", "duration_frames": 100}),
                               "animate": {"duration_frames": 4}}], F0)
    assert drawn(scene, F0 + 2).transform.scale_x == 0.5


@pytest.mark.parametrize(
    ("effect", "edge"),
    [("slide-left", "right"), ("slide-right", "left"), ("slide-up", "bottom"),
     ("slide-down", "top")],
)
def test_slides_start_just_off_their_side_of_the_canvas(effect, edge):
    enter = {"effect": effect, "duration_frames": 10}
    scene = commit(canvas(), [add(box(), enter=enter)], F0)
    t = drawn(scene, F0 + 1).transform  # 10% of the way in
    left, top = t.x_px, t.y_px
    edges = {"right": left + 100, "left": left, "bottom": top + 50, "top": top}
    off_canvas = {"right": 0.0, "left": 640.0, "bottom": 0.0, "top": 360.0}
    distance = {"right": 200, "left": 540, "bottom": 150, "top": 260}[edge]
    towards_canvas = -1 if edge in ("left", "top") else 1
    assert edges[edge] == pytest.approx(off_canvas[edge] + towards_canvas * 0.1 * distance)


def test_slides_use_the_natural_size_and_rotation():
    image = Layer(id="a", kind="image", content=ImageContent("f" * 64),
                  transform=Transform(x_px=320, y_px=180, anchor_x=0.5, anchor_y=0.5,
                                      rotation_deg=90))
    scene = commit(canvas(), [add(image, enter={"effect": "slide-left", "duration_frames": 2})],
                   F0)
    # 400×100 turned a quarter is 100 wide on canvas: its right edge is at 370, so it starts
    # 370 px further left (centre at -50) and is half-way at the middle frame.
    layer = find_layer(evaluate(scene, F0 + 1, natural_size=lambda _: (400.0, 100.0)), "a")
    assert layer is not None and layer.transform.x_px == pytest.approx(320 - 370 / 2)
    unknown = find_layer(evaluate(scene, F0 + 1), "a")  # assumed canvas-sized: 360 wide turned
    assert unknown is not None and unknown.transform.x_px == pytest.approx(320 - 500 / 2)


@pytest.mark.parametrize("effect", ["wipe-left", "wipe-right"])
def test_wipes_cut_the_box_and_keep_the_content_in_place(effect):
    centred = replace(box(), transform=Transform(x_px=150, y_px=100, width_px=100, height_px=50,
                                                 anchor_x=0.5))
    scene = commit(canvas(), [add(centred, enter={"effect": effect, "duration_frames": 4})], F0)
    t, crop = drawn(scene, F0 + 1).transform, drawn(scene, F0 + 1).crop
    assert t.width_px == 25
    left_edge = t.x_px - t.anchor_x * t.width_px
    if effect == "wipe-left":  # the left quarter shows, where it always was
        assert (crop.left, crop.right, left_edge) == (0.0, 0.75, 100)
    else:
        assert (crop.left, crop.right, left_edge) == (0.75, 0.0, 175)


def test_exit_easing_shapes_the_motion_like_an_enter():
    scene = commit(canvas(), [add(box(), exit={"effect": "fade", "duration_frames": 10,
                                                "easing": "easeInQuad"})], None)
    gone = commit(scene, [{"op": "remove", "id": "a"}], F0)
    assert drawn(gone, F0 + 5).opacity == pytest.approx(1 - 0.25)


def test_re_adding_an_exiting_id_ends_its_exit():
    scene = commit(canvas(), [add(box(), exit=fade())], None)
    scene = commit(scene, [{"op": "remove", "id": "a"}], F0)
    scene = commit(scene, [add(box())], F0 + 1)
    assert scene.exiting == () and [layer.id for layer in evaluate(scene, F0 + 2).layers] == ["a"]
