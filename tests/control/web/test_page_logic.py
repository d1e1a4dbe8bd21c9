"""The page's own maths against the server's: the outlines it draws over the preview must be where
the renderer puts the layers (``compositor.scene.geometry``), and its local copy of the scene must
follow commits exactly as the server does (``compositor.scene.ops.merge_patch``).

The page's modules are imported in the browser from the running server, as the page does."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Page

from compositor.scene import Crop, Transform
from compositor.scene.geometry import box_size, cropped_size, layer_matrix, layer_quad
from compositor.scene.ops import merge_patch
from tests.control.web.conftest import Pages, ServeProcess

pytestmark = pytest.mark.browser

TRANSFORMS: list[dict[str, Any]] = [
    {"x": 10, "y": 20, "width": 100, "height": 50},
    {"x": 160, "y": 90, "width": 64, "height": 36, "anchor_x": 0.5, "anchor_y": 0.5,
     "rotation_deg": 30, "scale_x": 1.5, "scale_y": 0.5},
    {"x": -5, "y": 200, "width": 10, "height": 300, "anchor_x": 1, "anchor_y": 0.25,
     "rotation_deg": -90, "scale_x": 2, "scale_y": 3},
    {"x": 50, "y": 60, "width": None, "height": None, "anchor_x": 0.2, "anchor_y": 0.8,
     "rotation_deg": 12.5},
]
CROP = {"left": 0.1, "top": 0.2, "right": 0.3, "bottom": 0.0}
NATURAL = (120.0, 80.0)  # the image asset's size the page is told


def js_corners(page: Page, layer: dict[str, Any]) -> np.ndarray:
    corners = page.evaluate("""async ([layer, natural]) => {
        const g = await import('/web/js/geometry.js');
        const assetOf = () => ({ width: natural[0], height: natural[1] });
        const scene = { width: 320, height: 180 };
        return g.corners(g.frame(layer, scene, assetOf));
    }""", [layer, NATURAL])
    return np.array(corners, dtype=np.float64)


def test_outlines_match_the_renderer_geometry(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url, wait_online=False)
    for raw in TRANSFORMS:
        layer = {"kind": "image", "content": {"asset": "x"}, "transform": raw, "crop": CROP}
        fields = {"x_px": raw["x"], "y_px": raw["y"], "width_px": raw["width"],
                  "height_px": raw["height"]}
        fields.update({k: raw[k] for k in raw if k not in ("x", "y", "width", "height")})
        transform = Transform(**fields)
        crop = Crop(**CROP)
        box = box_size(transform, cropped_size(NATURAL[0], NATURAL[1], crop))
        expected = layer_quad(layer_matrix(transform, box))
        np.testing.assert_allclose(js_corners(page, layer), expected, atol=1e-6)


def test_local_scene_follows_merge_patch_and_ops(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url, wait_online=False)
    target = {"id": "a", "name": "A", "transform": {"x": 1, "y": 2, "width": None},
              "content": {"text": "t", "font": "sans"}, "z": 3}
    patches: list[dict[str, Any]] = [
        {"transform": {"x": 5}},
        {"name": None, "content": {"font": "mono", "size_px": 20}},
        {"transform": {"width": 100, "height": None}, "z": 0},
        {"content": {"text": "new"}, "extra": {"nested": {"deep": 1}}},
    ]
    for patch in patches:
        ours = page.evaluate("""async ([target, patch]) => {
            const s = await import('/web/js/state.js');
            return s.mergePatch(target, patch);
        }""", [target, patch])
        assert ours == merge_patch(target, patch)

    layers = page.evaluate("""async () => {
        const s = await import('/web/js/state.js');
        const start = [{ id: 'a', z: 0, opacity: 1 }, { id: 'b', z: 1 }];
        return [
            s.applyOps(start, [{ op: 'add', layer: { id: 'c', z: 2 } },
                               { op: 'update', id: 'a', patch: { opacity: 0.5 } },
                               { op: 'remove', id: 'b' }]),
            s.applyOps(start, [{ op: 'remove', id: 'missing' }]),
            s.applyOps(start, [{ op: 'add', layer: { id: 'a' } }]),
            s.stackOrder([{ id: 'p', z: 1 }, { id: 'q', z: 5 }, { id: 'r', z: 1 }])
                .map((l) => l.id),
        ];
    }""")
    assert layers[0] == [{"id": "a", "z": 0, "opacity": 0.5}, {"id": "c", "z": 2}]
    assert layers[1] is None  # an op that does not fit: the page refetches instead of guessing
    assert layers[2] is None
    assert layers[3] == ["q", "r", "p"]  # top first; on a z tie the later-created is on top
