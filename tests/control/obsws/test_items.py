"""The OBS shapes of a layer (``control.obsws.items``, ``control.obsws.names``): transforms both
ways, alignment and anchors, crop in px and fractions, settings patches, stable item ids."""

from __future__ import annotations

from typing import Any

import pytest

from compositor.scene import Scene
from compositor.scene.codec import decode_layer
from control.obsws.errors import ObsRequestError
from control.obsws.items import settings_patch, transform_json, transform_patch
from control.obsws.names import find_input, item_ids, layer_by_item


def _layer(**fields: Any) -> Any:
    return decode_layer({"id": "l1", "kind": "color", "content": {"color": "#FF0000"},
                         **fields})


def test_the_transform_reads_position_scale_rotation_alignment_and_crop() -> None:
    layer = _layer(transform={"x": 10, "y": 20, "scale_x": 2, "rotation_deg": 45,
                              "anchor_x": 1, "anchor_y": 0.5},
                   crop={"left": 0.25, "bottom": 0.5})
    got = transform_json(layer, (200.0, 100.0))
    assert (got["positionX"], got["positionY"], got["rotation"]) == (10, 20, 45)
    assert (got["scaleX"], got["width"], got["height"]) == (2, 400, 100)
    assert got["alignment"] == 2  # right, vertically centred
    assert (got["cropLeft"], got["cropBottom"], got["cropRight"]) == (50, 50, 0)
    assert got["boundsType"] == "OBS_BOUNDS_NONE"


def test_a_transform_sent_back_unchanged_changes_nothing() -> None:
    layer = _layer(transform={"x": 3})
    assert transform_patch(layer, (0.0, 0.0), transform_json(layer, (0.0, 0.0))) == {}


def test_set_transform_becomes_a_merge_patch() -> None:
    layer = _layer()
    patch = transform_patch(layer, (200.0, 100.0), {
        "positionX": 5, "alignment": 10, "width": 100, "cropTop": 25, "sourceWidth": 1})
    assert patch == {"transform": {"x": 5, "scale_x": 0.5, "anchor_x": 1.0, "anchor_y": 1.0},
                     "crop": {"top": 0.25}}


@pytest.mark.parametrize(("obs", "code"), [
    ({"boundsType": "OBS_BOUNDS_STRETCH"}, 400),
    ({"alignment": 3}, 400),  # left and right
    ({"positionX": "10"}, 401),
    ({"width": 50}, 400),  # the size is not known: no scale follows from a width
    ({"cropLeft": 4}, 400),
])
def test_what_layers_cannot_do_is_refused(obs: dict[str, Any], code: int) -> None:
    with pytest.raises(ObsRequestError) as refused:
        transform_patch(_layer(), (0.0, 0.0), obs)
    assert refused.value.status == code


def test_settings_overlay_or_reset() -> None:
    text = decode_layer({"id": "t", "kind": "text", "content": {"text": "a", "size_px": 30}})
    assert settings_patch(text, {"text": "b"}, True) == {"content": {"text": "b"}}
    reset = settings_patch(text, {"text": "b"}, False)["content"]
    assert reset["text"] == "b" and reset["size_px"] is None  # back to its default


def test_item_ids_are_stable_distinct_and_found_by_name_or_id() -> None:
    layers = tuple(decode_layer({"id": f"l{i}", "name": "Same" if i < 2 else None,
                                 "kind": "color", "content": {"color": "#000000"}, "z": -i})
                   for i in range(50))
    scene = Scene(layers=layers)
    ids = item_ids(scene)
    assert len(set(ids.values())) == 50 and all(0 < n < 2**31 for n in ids.values())
    assert ids == item_ids(Scene(layers=layers[::-1]))  # not the position: the id
    assert layer_by_item(scene, ids["l7"]) == layers[7]
    found = find_input(scene, "Same")
    assert found is not None and found.id == "l1"  # bottom first: l1 has the lower z
    top = find_input(scene, "Same", -1)
    assert top is not None and top.id == "l0"
    by_id = find_input(scene, "l30")
    assert by_id is not None and by_id.id == "l30"
