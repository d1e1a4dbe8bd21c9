"""Animation speed: evaluate(scene, frame) + is_animating(scene, frame) per frame, 256 layers.

The pipeline calls both once per output frame, so at 60 fps they share a 16.7 ms frame with
rendering. Cases: a static scene (must be nearly free: the same object comes back), every layer
tweening x/y/opacity, every layer running a looping keyframe animation, every layer in an enter
slide, and a cubic-bezier tween (the parsed curve is cached). Baseline in the same run:
``draw_order(scene)``, the sort the renderer does every frame anyway.

Run: ``.venv/bin/python -m benchmarks.animation [--frames 600]``
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

from msgspec.structs import replace

from benchmarks.report import percentile, print_table, write_json
from compositor.scene import (
    Color,
    ColorContent,
    Keyframe,
    KeyframeAnimation,
    Layer,
    Scene,
    Transform,
    draw_order,
)
from compositor.scene.animation import evaluate, is_animating
from compositor.scene.codec import decode_ops
from compositor.scene.ops import apply_ops

__all__ = ["main"]

F0 = 107_717_040_000
LAYERS = 256


def _static() -> Scene:
    layers = tuple(
        Layer(f"l{i}", "color", ColorContent(Color(i % 256, 80, 160)),
              transform=Transform(x_px=7.0 * i, y_px=3.0 * i, width_px=120, height_px=40), z=i % 8)
        for i in range(LAYERS)
    )
    return Scene(layers=layers)


def _tweening(easing: str) -> Scene:
    patch = {"transform": {"x": 500, "y": 300}, "opacity": 0.5}
    animate = {"duration_frames": 10_000, "easing": easing}
    ops = [{"op": "update", "id": f"l{i}", "patch": patch, "animate": animate}
           for i in range(LAYERS)]
    return apply_ops(_static(), decode_ops(ops), frame=F0)


def _keyframed() -> Scene:
    spin = KeyframeAnimation(
        "transform.rotation_deg",
        (Keyframe(0, 0.0), Keyframe(30, 180.0, "easeInOutSine"), Keyframe(60, 360.0)),
        loop="loop", start_frame=F0,
    )
    scene = _static()
    return replace(scene, layers=tuple(replace(layer, animations=(spin,))
                                       for layer in scene.layers))


def _entering() -> Scene:
    scene = _static()
    ops = [{"op": "remove", "id": layer.id} for layer in scene.layers]
    empty = apply_ops(scene, decode_ops(ops))
    enter = {"effect": "slide-left", "duration_frames": 10_000, "easing": "easeOutBack"}
    from compositor.scene.codec import encode_layer

    adds = [{"op": "add", "layer": {**encode_layer(layer), "enter": enter}}
            for layer in scene.layers]
    return apply_ops(empty, decode_ops(adds), frame=F0)


def _time(step: Callable[[int], object], frames: int) -> list[float]:
    samples = []
    gc.collect()
    for f in range(frames):
        started = time.perf_counter()
        step(F0 + 1 + f)
        samples.append((time.perf_counter() - started) * 1000.0)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600)
    args = parser.parse_args()
    cases: list[tuple[str, Scene | None]] = [
        ("baseline: draw_order (static)", None),
        ("static scene", _static()),
        ("tween x/y/opacity, easeOutCubic", _tweening("easeOutCubic")),
        ("tween x/y/opacity, cubic-bezier", _tweening("cubic-bezier(0.25,0.1,0.25,1)")),
        ("looping keyframes (rotation)", _keyframed()),
        ("enter slide-left, easeOutBack", _entering()),
    ]
    rows = []
    static = _static()
    for name, scene in cases:
        if scene is None:
            samples = _time(lambda f: draw_order(static), args.frames)
        else:
            s = scene

            def step(frame: int, s: Scene = s) -> object:
                return evaluate(s, frame), is_animating(s, frame)

            samples = _time(step, args.frames)
        rows.append({
            "case": name,
            "layers": LAYERS,
            "p50 ms": percentile(samples, 50),
            "p99 ms": percentile(samples, 99),
            "max ms": max(samples),
            "share of 60 fps frame (p50)": f"{percentile(samples, 50) / (1000 / 60):.1%}",
        })
    print_table("evaluate + is_animating per frame", rows)
    write_json("animation", rows, frames=args.frames)


if __name__ == "__main__":
    main()
