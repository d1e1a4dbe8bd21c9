"""The import rules of ARCHITECTURE.md, checked by walking every module's imports with ``ast``.

Rules (each a test below):

1. The pure core imports nothing of ours beyond the core modules named for it, and nothing
   outside the standard library: ``compositor/scene.py`` and ``compositor/errors.py`` import
   nothing of ours; the codec (``compositor/codec.py`` and its parts ``codec_*.py``) only the
   scene, the errors, the pure easing table (to validate easing names) and the codec parts it
   builds on; ``compositor/easing.py`` and the animation (``compositor/animation.py`` and its
   parts ``property_values.py``, ``landing.py``) only the scene, the errors and each other
   (the animation parts only on the parts below them: property_values <- landing <- animation).
2. ``control/`` never imports the renderer (``compositor.gl``), the encoders
   (``compositor.encode``), the outputs (``compositor.output``), nor the modules that wire them
   (``compositor.pipeline``, ``compositor.service``, ``compositor.offline``), directly or through
   another module of ours. It talks to the render side through the store and
   ``control/program.py``.
3. Only the wiring modules import renderer, encoders and outputs together. That is
   ``compositor/pipeline.py`` and, by documented exception, ``compositor/offline.py`` and
   ``compositor/service.py``: both build a pipeline (offline render; the live service) and so see
   the three parts they hand to it.
4. Data flows one way, renderer -> encoder -> outputs: the renderer imports neither encoders nor
   outputs, and the encoders do not import the outputs.

Every import statement counts, also those inside functions and under ``TYPE_CHECKING``: a
dependency in a type annotation is still a dependency of the design.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("compositor", "control")

# The scene, the errors and the (pure) easing table/curves.
_CODEC_BASE = frozenset({"compositor.scene", "compositor.errors", "compositor.easing"})
_ANIMATION_BASE = frozenset({"compositor.scene", "compositor.errors", "compositor.easing"})
PURE_CORE: dict[str, frozenset[str]] = {
    # module -> the modules of ours it may import
    "compositor.scene": frozenset(),
    "compositor.errors": frozenset(),
    # The codec's parts, each only on the parts below it (no cycles): fields <- fast, animation
    # <- layer <- codec.
    "compositor.codec_fields": _CODEC_BASE,
    "compositor.codec_fast": _CODEC_BASE | {"compositor.codec_fields"},
    "compositor.codec_animation": _CODEC_BASE | {"compositor.codec_fields"},
    "compositor.codec_layer": _CODEC_BASE | {
        "compositor.codec_fields", "compositor.codec_fast", "compositor.codec_animation",
    },
    "compositor.codec": _CODEC_BASE | {
        "compositor.codec_fields", "compositor.codec_fast", "compositor.codec_animation",
        "compositor.codec_layer",
    },
    "compositor.easing": frozenset({"compositor.scene", "compositor.errors",
                                    "compositor.animation"}),
    # The animation's parts, each only on the parts below it: property_values <- landing
    # <- animation (which re-exports both).
    "compositor.property_values": _ANIMATION_BASE,
    "compositor.landing": _ANIMATION_BASE | {"compositor.property_values"},
    "compositor.animation": _ANIMATION_BASE | {"compositor.property_values", "compositor.landing"},
}
REQUIRED = (
    "compositor.scene",
    "compositor.errors",
    "compositor.codec",
    "compositor.codec_fields",
    "compositor.codec_fast",
    "compositor.codec_animation",
    "compositor.codec_layer",
    "compositor.property_values",
    "compositor.landing",
    "compositor.animation",
)
RENDER_SIDE = (
    "compositor.gl",
    "compositor.encode",
    "compositor.output",
    "compositor.pipeline",
    "compositor.service",
    "compositor.offline",
)
RENDERER, ENCODERS, OUTPUTS = "compositor.gl", "compositor.encode", "compositor.output"
WIRING = frozenset({"compositor.pipeline", "compositor.offline", "compositor.service"})


@dataclass(frozen=True)
class Module:
    name: str
    is_package: bool
    source: str
    path: Path


def discover(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> dict[str, Module]:
    """Every ``.py`` file of our packages, by dotted module name."""
    modules: dict[str, Module] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            modules[name] = Module(name, is_package, path.read_text(encoding="utf-8"), path)
    return modules


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Dotted names a module's source imports; ``from a import b`` gives ``a`` and ``a.b``
    (``b`` may be a submodule); relative imports are resolved against ``module``."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def ours(names: Iterable[str], known: Iterable[str]) -> set[str]:
    """The names of our modules among ``names``: each resolved to the longest known module
    that it is or lies in (``compositor.scene.Layer`` -> ``compositor.scene``); names of ours
    that are not (yet) files are kept as written."""
    known_set = set(known)
    result: set[str] = set()
    for name in names:
        if name.split(".")[0] not in PACKAGES:
            continue
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            candidate = ".".join(parts[:cut])
            if candidate in known_set:
                result.add(candidate)
                break
        else:
            result.add(name)
    return result


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def graph(modules: Mapping[str, Module]) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports directly (a package's ``__init__`` is a
    module too: importing ``a.b.c`` runs ``a`` and ``a.b`` first)."""
    edges: dict[str, set[str]] = {}
    for name, module in modules.items():
        direct = ours(imports_of(module.source, name, module.is_package), modules)
        edges[name] = {n for n in direct if n != name}
    return edges


def reachable(edges: Mapping[str, set[str]], start: str) -> dict[str, str]:
    """Every module ``start`` imports directly or indirectly -> the module that imports it."""
    via: dict[str, str] = {}
    stack = [start]
    while stack:
        current = stack.pop()
        for target in edges.get(current, ()):
            if target not in via and target != start:
                via[target] = current
                stack.append(target)
    return via


def pure_core_violations(name: str, module: Module, known: Iterable[str]) -> list[str]:
    allowed = PURE_CORE[name]
    imported = imports_of(module.source, name, module.is_package)
    problems = [f"{name} imports {n}" for n in sorted(ours(imported, known) - allowed - {name})]
    stdlib = sys.stdlib_module_names | {"__future__"}
    problems += [
        f"{name} imports third-party {n}"
        for n in sorted(imported)
        if n and n.split(".")[0] not in stdlib and n.split(".")[0] not in PACKAGES
    ]
    return problems


def control_violations(edges: Mapping[str, set[str]]) -> list[str]:
    problems = []
    for name in sorted(edges):
        if not _within(name, "control"):
            continue
        via = reachable(edges, name)
        for target in sorted(via):
            if any(_within(target, forbidden) for forbidden in RENDER_SIDE):
                chain = [target]
                while chain[-1] != name:
                    chain.append(via[chain[-1]])
                problems.append(f"{' -> '.join(reversed(chain))}")
    return problems


def _groups(imported: Iterable[str]) -> set[str]:
    return {g for g in (RENDERER, ENCODERS, OUTPUTS) for n in imported if _within(n, g)}


def together_violations(edges: Mapping[str, set[str]]) -> list[str]:
    return [
        f"{name} imports renderer, encoders and outputs together"
        for name in sorted(edges)
        if name not in WIRING and _groups(edges[name]) == {RENDERER, ENCODERS, OUTPUTS}
    ]


def direction_violations(edges: Mapping[str, set[str]]) -> list[str]:
    downstream = {RENDERER: (ENCODERS, OUTPUTS), ENCODERS: (OUTPUTS,)}
    problems = []
    for name in sorted(edges):
        for stage, later in downstream.items():
            if _within(name, stage):
                problems += [
                    f"{name} ({stage}) imports {target}, which is downstream of it"
                    for target in sorted(edges[name])
                    if any(_within(target, d) for d in later)
                ]
    return problems


# --- the rules, on the real tree ------------------------------------------------------------------

MODULES = discover()
EDGES = graph(MODULES)


def test_the_walk_sees_the_project() -> None:
    # Guard: if discovery broke, every rule below would pass on nothing.
    assert len(MODULES) >= 10, sorted(MODULES)
    for name in REQUIRED:
        assert name in MODULES, f"{name} is missing"
    assert "compositor.scene" in EDGES["compositor.codec"]
    assert "compositor.errors" in EDGES["compositor.codec"]


@pytest.mark.parametrize("name", sorted(PURE_CORE))
def test_pure_core_imports_only_the_core(name: str) -> None:
    if name not in MODULES:
        assert name not in REQUIRED
        pytest.skip(f"{name} does not exist yet")
    assert pure_core_violations(name, MODULES[name], MODULES) == []


def test_control_never_reaches_the_render_side() -> None:
    assert any(_within(name, "control") for name in MODULES)
    assert control_violations(EDGES) == []


def test_only_the_wiring_imports_renderer_encoders_and_outputs_together() -> None:
    assert together_violations(EDGES) == []


def test_data_flows_renderer_to_encoders_to_outputs() -> None:
    assert direction_violations(EDGES) == []


# --- the walker finds what it should (synthetic sources) ----------------------------------------


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
        "json",
        "compositor.gl.renderer",
        "compositor.scene",
        "compositor.codec",
        "compositor.gl.textures",
        "control.store.base",
        "compositor.encode.x264",
        "compositor.output.rtmp",
    } <= found
    assert "compositor.gl" in imports_of("from . import renderer", "compositor.gl", True)
    assert "compositor.gl.renderer" in imports_of("from . import renderer", "compositor.gl", True)


def test_walker_flags_a_control_module_importing_the_renderer() -> None:
    _, edges = _synthetic({
        "control.routes.preview": "from compositor.gl.renderer import Renderer\n",
        "compositor.gl.renderer": "",
        "compositor.gl.__init__": "",
    })
    assert control_violations(edges) == ["control.routes.preview -> compositor.gl.renderer"]


def test_walker_flags_an_indirect_path_into_the_pipeline() -> None:
    _, edges = _synthetic({
        "control.app": "from compositor import helpers\n",
        "compositor.helpers": "import compositor.pipeline\n",
        "compositor.pipeline": "",
    })
    assert control_violations(edges) == [
        "control.app -> compositor.helpers -> compositor.pipeline",
    ]


def test_walker_flags_lazy_and_relative_imports() -> None:
    _, edges = _synthetic({
        "control.ws": "def later():\n    from compositor.output import preview\n",
        "control.app": "from .ws import later\n",
        "compositor.output.preview": "",
    })
    problems = control_violations(edges)
    assert "control.ws -> compositor.output.preview" in problems
    assert "control.app -> control.ws -> compositor.output.preview" in problems


def test_walker_flags_the_pure_core_importing_anything_else() -> None:
    modules, _ = _synthetic({
        "compositor.scene": "import numpy as np\nfrom compositor.codec import decode_scene\n",
        "compositor.codec": "from compositor.scene import Scene\nimport re\n",
        "compositor.easing": "from compositor.scene import Scene\nfrom .codec import Limits\n",
    })
    assert pure_core_violations("compositor.scene", modules["compositor.scene"], modules) == [
        "compositor.scene imports compositor.codec",
        "compositor.scene imports third-party numpy",
    ]
    assert pure_core_violations("compositor.codec", modules["compositor.codec"], modules) == []
    assert pure_core_violations("compositor.easing", modules["compositor.easing"], modules) == [
        "compositor.easing imports compositor.codec",
    ]


def test_walker_flags_renderer_encoders_outputs_together_outside_the_wiring() -> None:
    three = "\n".join(
        ["import compositor.gl.renderer", "import compositor.encode.x264",
         "import compositor.output.rtmp"]
    )
    _, edges = _synthetic({
        "compositor.pipeline": three,
        "compositor.offline": three,
        "compositor.studio": three,
        "compositor.preview_tool": "import compositor.gl.renderer\nimport compositor.output.rtmp\n",
        "compositor.gl.renderer": "",
        "compositor.encode.x264": "",
        "compositor.output.rtmp": "",
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
