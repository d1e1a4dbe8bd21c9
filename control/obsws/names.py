"""How OBS names and numbers what the scene holds: scenes, scene items and inputs.

- Cues are scenes, by the cue's name (``sceneUuid``: a UUID made from the cue id). Before any cue
  was taken the program scene is :data:`PROGRAM_SCENE`, a name every scene argument also accepts.
- Every layer is a scene item of whichever scene is asked for (the program has one set of layers)
  and an input. Its source/input name is the layer's ``name``, or its ``id`` when it has none;
  a lookup by name that finds no layer tries the ids, so an id always works.
- ``sceneItemId`` is a number made from the layer id (the first 31 bits of its SHA-256, never
  0), the same in every process and after a restart. Two layers whose numbers collide: the later
  one (in creation order) takes the next free number.
- ``sceneItemIndex`` is the position in draw order, 0 at the bottom, as in OBS.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from compositor.scene import Layer, Scene, draw_order

__all__ = ["PROGRAM_SCENE", "find_input", "input_uuid", "item_ids", "layer_by_item",
           "scene_list", "scene_uuid", "source_name"]

PROGRAM_SCENE = "Program"
"""The program scene's name while no cue has been taken (or the taken one is gone)."""

class Named(Protocol):
    """A cue as far as names go."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


_NAMESPACE = uuid.UUID("5f0b1d2e-8c44-4f6e-9a51-0b5e7c3d9a10")  # fixed: UUIDs stay the same


def scene_uuid(cue_id: str | None) -> str:
    """The ``sceneUuid`` of a cue (None: of :data:`PROGRAM_SCENE`)."""
    return str(uuid.uuid5(_NAMESPACE, "program" if cue_id is None else "cue:" + cue_id))


def scene_list(cues: Sequence[Named]) -> list[dict[str, Any]]:
    """The ``scenes`` of ``GetSceneList``: OBS lists the bottom scene first, with index 0; the
    first cue is the top scene (the highest index)."""
    count = len(cues)
    scenes = [{"sceneIndex": count - 1 - i, "sceneName": cue.name, "sceneUuid": scene_uuid(cue.id)}
              for i, cue in enumerate(cues)]
    return scenes[::-1]


def input_uuid(layer_id: str) -> str:
    """The ``inputUuid`` / ``sourceUuid`` of a layer."""
    return str(uuid.uuid5(_NAMESPACE, "layer:" + layer_id))


def source_name(layer: Layer) -> str:
    """The OBS source (input) name of a layer: its name, else its id."""
    return layer.name or layer.id


def _number(layer_id: str) -> int:
    digest = hashlib.sha256(layer_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF or 1


def item_ids(scene: Scene) -> dict[str, int]:
    """Layer id -> ``sceneItemId`` for every layer of ``scene``."""
    taken: set[int] = set()
    ids: dict[str, int] = {}
    for layer in scene.layers:  # creation order: the earlier layer keeps its number
        number = _number(layer.id)
        while number in taken:
            number = number % 0x7FFF_FFFF + 1
        taken.add(number)
        ids[layer.id] = number
    return ids


def layer_by_item(scene: Scene, item_id: int) -> Layer | None:
    """The layer whose ``sceneItemId`` is ``item_id``."""
    for layer_id, number in item_ids(scene).items():
        if number == item_id:
            return next(layer for layer in scene.layers if layer.id == layer_id)
    return None


def find_input(scene: Scene, name: str, offset: int = 0) -> Layer | None:
    """The layer a source name names: the ``offset``-th match by name in draw order (bottom
    first; -1: the top one), else the layer with that id."""
    matches = [layer for layer in draw_order(scene) if source_name(layer) == name]
    if matches:
        if offset == -1:
            return matches[-1]
        return matches[offset] if offset < len(matches) else None
    if offset in (0, -1):
        return next((layer for layer in scene.layers if layer.id == name), None)
    return None
