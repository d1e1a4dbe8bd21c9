"""The import walker of ``tests/test_layering.py`` on synthetic sources: each rule must catch the
violations it is there for (else the checks on the real tree could pass on nothing)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tests.test_layering import (
    Module,
    control_violations,
    direction_violations,
    engine_violations,
    graph,
    imports_of,
    scene_violations,
    together_violations,
    wiring_violations,
)


def _synthetic(sources: Mapping[str, str]) -> tuple[dict[str, Module], dict[str, set[str]]]:
    """Modules from source text (a name ending in ``.__init__`` is a package) and their graph."""
    modules = {}
    for file_name, source in sources.items():
        name = file_name.removesuffix(".__init__")
        modules[name] = Module(name, file_name != name, source, Path(file_name))
    return modules, graph(modules)


def test_imports_of_resolves_every_form() -> None:
    source = "\n".join([
        "import json, compositor.gl.renderer as r",
        "from compositor import scene",
        "from . import codec",
        "from .gl import textures",
        "from ..control.store import base",
        "def f():",
        "    from compositor.encode.x264 import X264Encoder",
        "if TYPE_CHECKING:",
        "    from compositor.output import rtmp",
    ])
    found = imports_of(source, "compositor.pipeline")
    assert {
        "json", "compositor.gl.renderer", "compositor.scene", "compositor.codec",
        "compositor.gl.textures", "control.store.base", "compositor.encode.x264",
        "compositor.output.rtmp",
    } <= found
    assert "compositor.gl.renderer" in imports_of("from . import renderer", "compositor.gl", True)


def test_walker_flags_the_engine_importing_the_control_plane() -> None:
    _, edges = _synthetic({
        "compositor.pipeline.pipeline": "def f():\n    from control.store.base import Store\n",
        "compositor.gl.renderer": "import shaders\n",
        "compositor.gl.shaders": "import shaders\n",
        "control.store.base": "",
        "shaders.__init__": "",
    })
    assert engine_violations(edges) == [
        "compositor.gl.renderer imports shaders",
        "compositor.pipeline.pipeline imports control.store.base",
    ]


def test_walker_flags_the_scene_importing_anything_else() -> None:
    modules, _ = _synthetic({
        "compositor.scene.__init__": "from compositor.scene.model import *\n",
        "compositor.scene.model": "import numpy as np\nfrom compositor.scene.codec import x\n",
        "compositor.scene.codec.__init__": "from compositor.scene import Scene\nimport re\n",
        "compositor.scene.animation.easing": "from compositor.scene.codec import Limits\n",
        "compositor.scene.ops": "from compositor.gl import renderer\n",
        "compositor.scene.geometry": "import numpy\nfrom compositor.scene import Crop\n",
        "compositor.scene.extra": "",
        "compositor.gl": "",
    })
    problems = [p for p in scene_violations(modules) if not p.startswith("cycle")]
    assert problems == [
        "compositor.scene.animation.easing imports compositor.scene.codec",
        "compositor.scene.extra is in no part of the scene (SCENE_PARTS)",
        "compositor.scene.model imports compositor.scene.codec",
        "compositor.scene.model imports third-party numpy",
        "compositor.scene.ops imports compositor.gl",
    ]


def test_walker_flags_a_cycle_inside_the_scene() -> None:
    modules, _ = _synthetic({
        "compositor.scene.codec.a": "from compositor.scene.codec import b\n",
        "compositor.scene.codec.b": "from compositor.scene.codec import a\n",
    })
    assert any(p.startswith("cycle: compositor.scene.codec.a") for p in scene_violations(modules))


def test_walker_flags_an_indirect_path_into_the_engine() -> None:
    _, edges = _synthetic({
        "control.app": "from control import helpers\n",
        "control.helpers": "def f():\n    import compositor.pipeline\n",
        "control.service.serve": "import compositor.pipeline\n",
        "compositor.pipeline": "",
    })
    assert control_violations(edges) == [
        "control.app -> control.helpers -> compositor.pipeline",
        "control.helpers -> compositor.pipeline",
    ]


def test_walker_flags_wiring_outside_the_service() -> None:
    _, edges = _synthetic({
        "control.routes.layers": "from control.store.embedded import EmbeddedStore\n",
        "control.store.redis.store": "from control.app import create_app\n",
        "control.store.base": "from ..ws import Hub\n",
        "control.service.serve": "from control.app import create_app\n",
        "control.service.logs": "",
        "control.app": "from control.service.logs import RequestIdMiddleware\n",
        "control.ws": "", "control.store.embedded": "",
    })
    assert wiring_violations(edges) == [
        "control.app imports control.service.logs (the service is the top: nothing imports it)",
        "control.routes.layers imports control.store.embedded (only control.service may)",
        "control.store.base (store) imports control.ws",
        "control.store.redis.store imports control.app (only control.service may)",
        "control.store.redis.store (store) imports control.app",
    ]


def test_walker_flags_renderer_encoders_outputs_together_outside_the_wiring() -> None:
    three = "import compositor.gl.renderer\nimport compositor.encode.x264\n" \
            "import compositor.output.rtmp\n"
    _, edges = _synthetic({
        "compositor.pipeline.pipeline": three,
        "control.service.render": three,
        "compositor.studio": three,
        "compositor.gl.renderer": "", "compositor.encode.x264": "", "compositor.output.rtmp": "",
    })
    assert together_violations(edges) == [
        "compositor.studio imports renderer, encoders and outputs together"
    ]


def test_walker_flags_data_flowing_backwards() -> None:
    _, edges = _synthetic({
        "compositor.gl.renderer": "from compositor.encode.base import Encoder\n",
        "compositor.encode.base": "from ..output.rtmp import RtmpOutput\n",
        "compositor.output.rtmp": "from compositor.encode.base import Packet\n",
    })
    assert direction_violations(edges) == [
        "compositor.encode.base (compositor.encode) imports compositor.output.rtmp, "
        "which is downstream of it",
        "compositor.gl.renderer (compositor.gl) imports compositor.encode.base, "
        "which is downstream of it",
    ]
