"""The animation engine: keyframes, tweens, enter/exit transitions, pruning and the per-frame
contract of evaluate/is_animating. Commits go through the real codec and apply_ops."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compositor.errors import SceneValidationError
from compositor.scene import (
    Color,
    ColorContent,
    find_layer,
)
from compositor.scene.animation import evaluate, is_animating, land_scene, property_value, prune
from compositor.scene.animation.easing import easing
from compositor.scene.codec import Limits, decode_layer, decode_ops, decode_scene, encode_scene
from compositor.scene.ops import apply_ops
from tests.animation_strategies import animated_scenes

# --- keyframes -----------------------------------------------------------------------------------
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
    with_keyframes,
)


def test_keyframes_interpolate_with_the_easing_of_the_keyframe_they_arrive_at():
    scene = with_keyframes("transform.x", [
        {"frame": 0, "value": 0},
        {"frame": 60, "value": 400, "easing": "easeInOutSine"},
        {"frame": 100, "value": 100},
    ])
    x = [drawn(scene, F0 + f).transform.x_px for f in (0, 15, 30, 60, 80, 100)]
    assert x == pytest.approx([0, 400 * easing("easeInOutSine")(0.25), 200, 400, 250, 100])


def test_keyframes_hold_before_the_first_and_after_the_last():
    scene = with_keyframes("opacity", [{"frame": 10, "value": 0.2}, {"frame": 20, "value": 0.8}])
    assert drawn(scene, F0 - 1000).opacity == 0.2
    assert drawn(scene, F0 + 10).opacity == 0.2
    assert drawn(scene, F0 + 15).opacity == pytest.approx(0.5)
    assert drawn(scene, F0 + 20).opacity == 0.8
    assert drawn(scene, F0 + 10_000).opacity == 0.8


def test_loop_repeats_with_the_period_of_the_last_keyframe():
    scene = with_keyframes(
        "transform.rotation_deg",
        [{"frame": 0, "value": 0}, {"frame": 10, "value": 360}],
        loop=True,
    )
    rotation = [drawn(scene, F0 + f).transform.rotation_deg for f in (-5, 0, 5, 10, 15, 1003)]
    assert rotation == pytest.approx([0, 0, 180, 0, 180, 108])


def test_pingpong_goes_back_and_forth():
    scene = with_keyframes(
        "transform.y", [{"frame": 0, "value": 0}, {"frame": 10, "value": 100}], loop="pingpong"
    )
    y = [drawn(scene, F0 + f).transform.y_px for f in (0, 5, 10, 12, 15, 20, 25, 30)]
    assert y == pytest.approx([0, 50, 100, 80, 50, 0, 50, 100])


def test_colour_keyframes_interpolate_srgb_bytes():
    scene = with_keyframes(
        "content.color", [{"frame": 0, "value": "#000000FF"}, {"frame": 10, "value": "#FF800000"}]
    )
    content = drawn(scene, F0 + 5).content
    assert content == ColorContent(Color(128, 64, 0, 128))  # 127.5 rounds half up


def test_keyframes_win_over_the_layer_value_and_clamp_overshoot():
    scene = with_keyframes(
        "opacity", [{"frame": 0, "value": 0}, {"frame": 10, "value": 1, "easing": "easeOutBack"}]
    )
    assert drawn(scene, F0 + 7).opacity == 1.0  # easeOutBack passes 1.0; opacity stops there
    assert drawn(scene, F0 + 2).opacity == pytest.approx(easing("easeOutBack")(0.2))


def test_a_crop_that_leaves_nothing_is_not_drawn():
    scene = with_keyframes("crop.left", [{"frame": 0, "value": 0}, {"frame": 10, "value": 1}])
    assert drawn(scene, F0 + 5).crop.left == 0.5
    assert on_air(scene, F0 + 10) is None


def test_on_commit_starts_resolve_to_the_commit_frame():
    layer = {
        "id": "a", "kind": "color", "content": {"color": "#FF0000"},
        "animations": [{"property": "transform.x", "start": "on_commit",
                        "keyframes": [{"frame": 0, "value": 0}, {"frame": 10, "value": 100}]}],
    }
    live = commit(canvas(), [{"op": "add", "layer": layer}], F0)
    assert live.layers[0].animations[0].start_frame == F0
    assert drawn(live, F0 + 5).transform.x_px == 50
    offline = commit(canvas(), [{"op": "add", "layer": layer}], None)
    assert offline.layers[0].animations[0].start_frame == 0
    # A scene file read as it is: "on_commit" counts from frame 0; land_scene puts it at a frame.
    raw = decode_scene({"layers": [layer]})
    assert drawn(raw, 5).transform.x_px == 50
    assert drawn(land_scene(raw, F0), F0 + 5).transform.x_px == 50


# --- tweens --------------------------------------------------------------------------------------


def move(x: float, frames: int, easing_name: str = "linear", delay: int = 0, **more: Any):
    return {
        "op": "update", "id": "a", "patch": {"transform": {"x": x}, **more},
        "animate": {"duration_frames": frames, "easing": easing_name, "delay_frames": delay},
    }


def test_a_tween_runs_from_the_on_air_value_to_the_new_one():
    scene = commit(canvas(box()), [move(400, 30, "easeOutCubic", opacity=0.5)], F0)
    assert find_layer(scene, "a").transform.x_px == 400  # type: ignore[union-attr]
    first, middle, last = (drawn(scene, F0 + f) for f in (0, 15, 30))
    assert (first.transform.x_px, first.opacity) == (100, 1.0)
    assert middle.transform.x_px == pytest.approx(100 + 300 * 0.875)
    assert middle.opacity == pytest.approx(1 - 0.5 * 0.875)
    assert (last.transform.x_px, last.opacity) == (400, 0.5)
    assert drawn(scene, F0 - 10).transform.x_px == 100  # before the commit's frame: still old


def test_a_delayed_tween_holds_until_it_starts():
    scene = commit(canvas(box()), [move(400, 30, delay=10)], F0)
    assert [drawn(scene, F0 + f).transform.x_px for f in (0, 10, 25, 40)] == [100, 100, 250, 400]


def test_a_new_tween_starts_from_the_mid_tween_value_on_air():
    first = commit(canvas(box()), [move(500, 40)], F0)
    assert drawn(first, F0 + 20).transform.x_px == 300
    second = commit(first, [move(0, 10)], F0 + 20)
    assert [drawn(second, F0 + f).transform.x_px for f in (20, 25, 30, 99)] == [300, 150, 0, 0]


def test_a_delayed_retarget_lets_the_running_tween_play_until_it_starts():
    first = commit(canvas(box()), [move(500, 40)], F0)
    second = commit(first, [move(0, 10, delay=10)], F0 + 10)
    x = [drawn(second, F0 + f).transform.x_px for f in (10, 15, 20, 25, 30)]
    assert x == [200, 250, 300, 150, 0]


def test_an_instant_change_cancels_only_that_propertys_tween():
    both = {**move(500, 40), "patch": {"transform": {"x": 500, "y": 300}}}
    moving = commit(canvas(box()), [both], F0)
    snap = {"op": "update", "id": "a", "patch": {"transform": {"x": 0}}}
    snapped = commit(moving, [snap], F0 + 20)
    layer = drawn(snapped, F0 + 20)
    assert (layer.transform.x_px, layer.transform.y_px) == (0, 200)
    assert drawn(snapped, F0 + 30).transform.y_px == 250


def test_colour_tweens_move_in_srgb_bytes():
    patch = {"content": {"color": "#0000FF"}}
    scene = commit(canvas(box()), [{"op": "update", "id": "a", "patch": patch,
                                    "animate": {"duration_frames": 10}}], F0)
    assert drawn(scene, F0 + 5).content == ColorContent(Color(128, 0, 128, 255))
    assert drawn(scene, F0 + 10).content == ColorContent(Color(0, 0, 255, 255))


def test_changes_to_or_from_natural_size_are_instant():
    patch = {"transform": {"width": None, "x": 200}}
    scene = commit(canvas(box()), [{"op": "update", "id": "a", "patch": patch,
                                    "animate": {"duration_frames": 10}}], F0)
    middle = drawn(scene, F0 + 5).transform
    assert middle.width_px is None and middle.x_px == 150


def test_without_a_frame_animate_is_instant_and_records_nothing():
    scene = commit(canvas(box()), [move(400, 30)], None)
    assert scene.layers[0].tweens == ()
    assert drawn(scene, F0).transform.x_px == 400


def test_removing_keyframes_with_animate_tweens_from_the_keyframe_value():
    scene = with_keyframes("transform.x", [{"frame": 0, "value": 0}, {"frame": 100, "value": 1000}])
    stopped = commit(scene, [{"op": "update", "id": "a", "patch": {"animations": None},
                              "animate": {"duration_frames": 10}}], F0 + 50)
    assert [drawn(stopped, F0 + f).transform.x_px for f in (50, 55, 60)] == [500, 300, 100]


def test_a_patch_cannot_set_runtime_state():
    forged = {"tweens": [{"property": "opacity", "from": 0, "to": 1, "start_frame": 0,
                          "duration_frames": 1}]}
    scene = commit(canvas(box()), [{"op": "update", "id": "a", "patch": forged}], F0)
    assert scene.layers[0].tweens == ()


def test_tweens_per_layer_are_bounded():
    scene = commit(canvas(box()), [move(200, 10), move(300, 10, delay=5)], F0)
    assert len(scene.layers[0].tweens) == 2
    with pytest.raises(SceneValidationError) as caught:
        ops = decode_ops([move(400, 10, delay=8)])
        apply_ops(scene, ops, frame=F0, limits=Limits(max_tweens=2))
    assert caught.value.path == "ops[0].animate"


# --- the per-frame contract ----------------------------------------------------------------------


def test_evaluate_returns_the_same_scene_when_nothing_moves():
    scene = canvas(box(), *(box(f"l{i}") for i in range(255)))
    assert evaluate(scene, F0) is scene
    assert not is_animating(scene, F0)
    settled = commit(scene, [move(0, 10)], F0 - 100)
    assert settled.layers[0].tweens  # finished, but not yet pruned
    assert evaluate(settled, F0) is settled and not is_animating(settled, F0)


def test_prune_drops_only_what_has_finished():
    scene = commit(canvas(box(), box("b")), [move(400, 10),
                                            {"op": "remove", "id": "b",
                                             "animate": {"duration_frames": 20}}], F0)
    assert prune(scene, F0 + 5) is scene
    half = prune(scene, F0 + 10)
    assert half.layers[0].tweens == () and len(half.exiting) == 1
    assert prune(half, F0 + 20).exiting == ()
    assert prune(half, F0 + 20).layers[0] is half.layers[0]


def test_a_restarted_service_resumes_at_the_right_phase():
    scene = commit(canvas(box()), [move(400, 30, "easeInOutQuad")], F0)
    scene = commit(scene, [{"op": "add", "layer": {**box_json(), "id": "b", "exit": fade()}}], F0)
    scene = commit(scene, [{"op": "remove", "id": "b"}], F0 + 3)
    stored = decode_scene(json.loads(json.dumps(encode_scene(scene))))
    assert stored == scene
    for f in range(F0, F0 + 32):
        assert evaluate(stored, f) == evaluate(scene, f)


def test_a_zero_length_change_is_seen_one_frame_ahead():
    scene = commit(canvas(box()), [move(400, 0, delay=5)], F0)
    assert [drawn(scene, F0 + f).transform.x_px for f in (4, 5)] == [100, 400]
    assert is_animating(scene, F0 + 4) and is_animating(scene, F0 + 5)
    assert not is_animating(scene, F0 + 2) and not is_animating(scene, F0 + 6)


def test_property_value_ignores_effects():
    scene = commit(canvas(), [add(box(), enter=fade())], F0)
    assert property_value(scene.layers[0], "opacity", F0) == 1.0


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(scene=animated_scenes(), frame=st.integers(1, 300))
def test_is_animating_false_means_the_neighbouring_frames_are_the_same(scene, frame):
    # The pipeline may reuse frame - 1 for frame, or frame for frame + 1: both must be safe.
    if not is_animating(scene, frame):
        assert evaluate(scene, frame + 1) == evaluate(scene, frame)
        assert evaluate(scene, frame - 1) == evaluate(scene, frame)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(scene=animated_scenes())
def test_codec_round_trip_with_animation_fields(scene):
    assert decode_scene(json.loads(json.dumps(encode_scene(scene)))) == scene


# --- validation paths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "path", "reason"),
    [
        ({"enter": {"effect": "spin", "duration_frames": 3}}, "layer.enter.effect", "one of"),
        ({"exit": {"effect": "fade"}}, "layer.exit.duration_frames", "required"),
        ({"enter": {"effect": "fade", "duration_frames": -1}}, "layer.enter.duration_frames",
         "between"),
        ({"animations": [{"property": "content.text", "keyframes": [{"frame": 0, "value": 0}]}]},
         "layer.animations[0].property", "one of"),
        ({"animations": [{"property": "opacity", "keyframes": []}]},
         "layer.animations[0].keyframes", "at least"),
        ({"animations": [{"property": "opacity", "keyframes": [{"frame": 5, "value": 0},
                                                               {"frame": 5, "value": 1}]}]},
         "layer.animations[0].keyframes[1].frame", "greater"),
        ({"animations": [{"property": "opacity", "keyframes": [{"frame": 0, "value": 2}]}]},
         "layer.animations[0].keyframes[0].value", "between 0 and 1"),
        ({"animations": [{"property": "transform.x",
                          "keyframes": [{"frame": 0, "value": 1, "easing": "wobble"}]}]},
         "layer.animations[0].keyframes[0].easing", "must be linear"),
        ({"animations": [{"property": "opacity", "loop": "yes",
                          "keyframes": [{"frame": 0, "value": 1}]}]},
         "layer.animations[0].loop", "pingpong"),
        ({"animations": [{"property": "opacity", "start": "now",
                          "keyframes": [{"frame": 0, "value": 1}]}]},
         "layer.animations[0].start", "integer"),
        ({"animations": [{"property": "opacity", "keyframes": [{"frame": 0, "value": 1}]},
                         {"property": "opacity", "keyframes": [{"frame": 0, "value": 0}]}]},
         "layer.animations[1].property", "already animated"),
        ({"kind": "text", "content": {"text": "hi"},
          "animations": [{"property": "content.color",
                          "keyframes": [{"frame": 0, "value": "#FFFFFF"}]}]},
         "layer.animations[0].property", "color layer"),
        ({"tweens": [{"property": "opacity", "from": 0, "to": 1, "start_frame": 0}]},
         "layer.tweens[0].duration_frames", "required"),
        ({"leaving": {"effect": "fade", "duration_frames": 3}}, "layer.leaving.start_frame",
         "required"),
    ],
)
def test_bad_animation_fields_name_their_path(fields, path, reason):
    with pytest.raises(SceneValidationError) as caught:
        decode_layer({**box_json(), **fields})
    assert caught.value.path == path
    assert reason in caught.value.reason


def test_bad_animate_names_its_path():
    for animate, path in [({}, "ops[0].animate.duration_frames"),
                          ({"duration_frames": 3, "easing": "x"}, "ops[0].animate.easing"),
                          ({"duration_frames": 3, "when": 1}, "ops[0].animate.when")]:
        with pytest.raises(SceneValidationError) as caught:
            decode_ops([{"op": "remove", "id": "a", "animate": animate}])
        assert caught.value.path == path


def test_animation_limits_apply():
    many = [{"property": p, "keyframes": [{"frame": 0, "value": 0}]}
            for p in ("opacity", "transform.x", "transform.y")]
    with pytest.raises(SceneValidationError) as caught:
        decode_layer({**box_json(), "animations": many}, limits=Limits(max_animations=2))
    assert caught.value.path == "layer.animations"
