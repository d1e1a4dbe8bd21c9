"""The import rules of the layout (README, "How the code is laid out"), checked by walking every
module's imports with ``ast``. Every import statement counts, also those inside functions and under
``TYPE_CHECKING``: a dependency in a type annotation is still a dependency of the design.

Rules (each a test below, each with synthetic violations that it must catch):

1. ``compositor/`` is the engine and its model: it imports nothing of ``control/``, and only
   ``compositor.gl.shaders`` reads the ``shaders`` package.
2. ``compositor/scene/`` is pure: it imports nothing of ours outside itself but
   ``compositor.errors``, and nothing outside the standard library (``geometry`` may use numpy).
   Inside it each part imports only the parts below it (``SCENE_PARTS``), so there are no cycles.
3. ``control/`` outside ``control/service/`` never reaches the render engine (``compositor``'s
   ``gl``, ``encode``, ``output``, ``pipeline``, ``metrics``), directly or through another module
   of ours: it sees the scene model, the errors and, through ``control/program.py``, the program.
4. Only ``control/service/`` wires: it alone imports the app (``control.app``) or a store backend
   (``control.store.embedded``, ``control.store.redis``) from outside them; nothing imports the
   service; the store imports nothing of the app, the routes or the service.
5. Only the wiring (``compositor.pipeline`` and ``control.service``) imports renderer, encoders
   and outputs together, and data flows one way: renderer -> encoders -> outputs.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("compositor", "control", "shaders")

SCENE = "compositor.scene"
ERRORS = "compositor.errors"
MODEL = ("compositor.scene.model",)  # and the package itself, which re-exports the model
SCENE_PARTS: dict[str, tuple[str, ...]] = {
    # part of compositor/scene -> what of ours it may import besides itself and compositor.errors
    "compositor.scene.model": (),
    "compositor.scene.animation": (*MODEL, "compositor.scene.animation"),
    "compositor.scene.codec": (*MODEL, "compositor.scene.codec",
                               "compositor.scene.animation.easing"),
    "compositor.scene.ops": (*MODEL, "compositor.scene.codec", "compositor.scene.animation"),
    "compositor.scene.schedule": MODEL,
    "compositor.scene.geometry": MODEL,
}
# msgspec: the model's classes are frozen msgspec.Struct; ops and animation use its replace(),
# the codec reads the defaults from its field list.
THIRD_PARTY_IN_SCENE = {
    "compositor.scene.geometry": frozenset({"numpy"}),
    "compositor.scene.model": frozenset({"msgspec"}),
    "compositor.scene.ops": frozenset({"msgspec"}),
    "compositor.scene.codec": frozenset({"msgspec"}),
    "compositor.scene.animation": frozenset({"msgspec"}),
}
ENGINE = ("compositor.gl", "compositor.encode", "compositor.output", "compositor.pipeline",
          "compositor.metrics")
WIRING = "control.service"
WIRED = ("control.app", "control.store.embedded", "control.store.redis")
STORE_MAY_NOT_IMPORT = ("control.app", "control.routes", "control.ws", "control.service",
                        "control.context", "control.committer")
RENDERER, ENCODERS, OUTPUTS = "compositor.gl", "compositor.encode", "compositor.output"
TOGETHER_ALLOWED = ("compositor.pipeline", WIRING)
REQUIRED = (
    "compositor.errors", "compositor.scene", "compositor.scene.model", "compositor.scene.codec",
    "compositor.scene.animation", "compositor.scene.ops", "compositor.gl.shaders",
    "compositor.pipeline", "control.app", "control.errors", "control.store.base",
    "control.store.embedded", "control.store.redis", "control.service.serve",
    "control.service.cli", "control.service.settings", "shaders",
)


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


def _within(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def graph(modules: Mapping[str, Module]) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports directly."""
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


def _chain(via: Mapping[str, str], start: str, target: str) -> str:
    chain = [target]
    while chain[-1] != start:
        chain.append(via[chain[-1]])
    return " -> ".join(reversed(chain))


# --- the rules --------------------------------------------------------------------------------


def engine_violations(edges: Mapping[str, set[str]]) -> list[str]:
    """Rule 1: compositor imports nothing of control; only compositor.gl.shaders reads shaders."""
    problems = []
    for name in sorted(edges):
        if not _within(name, "compositor"):
            continue
        for target in sorted(edges[name]):
            reads_shaders = _within(target, "shaders") and name != "compositor.gl.shaders"
            if _within(target, "control") or reads_shaders:
                problems.append(f"{name} imports {target}")
    return problems


def _scene_part(name: str) -> str | None:
    for part in sorted(SCENE_PARTS, key=len, reverse=True):
        if _within(name, part):
            return part
    return None


def scene_violations(modules: Mapping[str, Module]) -> list[str]:
    """Rule 2: the scene imports only itself (part by part) and the errors; only the standard
    library (and numpy in geometry); no cycles."""
    stdlib = sys.stdlib_module_names | {"__future__"}
    problems = []
    for name, module in sorted(modules.items()):
        if not _within(name, SCENE) or name == SCENE:
            continue
        part = _scene_part(name)
        if part is None:
            problems.append(f"{name} is in no part of the scene (SCENE_PARTS)")
            continue
        imported = imports_of(module.source, name, module.is_package)
        allowed = (part, ERRORS, *SCENE_PARTS[part])
        problems += [f"{name} imports {n}" for n in sorted(ours(imported, modules) - {name})
                     if not (_within(n, *allowed) or (n == SCENE and part != MODEL[0]))]
        extra = THIRD_PARTY_IN_SCENE.get(part, frozenset())
        problems += [f"{name} imports third-party {n}" for n in sorted(imported)
                     if n and n.split(".")[0] not in (*stdlib, *PACKAGES, *extra)]
    edges = graph({n: m for n, m in modules.items() if _within(n, SCENE)})
    for name in sorted(edges):
        via = reachable(edges, name)
        problems += [f"cycle: {name} -> ... -> {name}" for target, source in via.items()
                     if name in edges.get(target, ()) and target != name][:1]
    return problems


def control_violations(edges: Mapping[str, set[str]]) -> list[str]:
    """Rule 3: control outside the service never reaches the render engine."""
    problems = []
    for name in sorted(edges):
        if not _within(name, "control") or _within(name, WIRING):
            continue
        via = reachable(edges, name)
        problems += [_chain(via, name, target) for target in sorted(via)
                     if _within(target, *ENGINE)]
    return problems


def wiring_violations(edges: Mapping[str, set[str]]) -> list[str]:
    """Rule 4: only the service imports the app or a store backend; the store stays below."""
    problems = []
    for name in sorted(edges):
        for target in sorted(edges[name]):
            if _within(target, WIRING) and not _within(name, WIRING):
                problems.append(f"{name} imports {target} (the service is the top: nothing "
                                "imports it)")
            for wired in WIRED:
                if _within(target, wired) and not _within(name, wired, WIRING):
                    problems.append(f"{name} imports {target} (only {WIRING} may)")
            if _within(name, "control.store") and _within(target, *STORE_MAY_NOT_IMPORT):
                problems.append(f"{name} (store) imports {target}")
    return problems


def _groups(imported: Iterable[str]) -> set[str]:
    return {g for g in (RENDERER, ENCODERS, OUTPUTS) for n in imported if _within(n, g)}


def together_violations(edges: Mapping[str, set[str]]) -> list[str]:
    """Rule 5a: renderer, encoders and outputs are imported together only by the wiring."""
    return [
        f"{name} imports renderer, encoders and outputs together"
        for name in sorted(edges)
        if not _within(name, *TOGETHER_ALLOWED)
        and _groups(edges[name]) == {RENDERER, ENCODERS, OUTPUTS}
    ]


def direction_violations(edges: Mapping[str, set[str]]) -> list[str]:
    """Rule 5b: renderer -> encoders -> outputs, never back."""
    downstream = {RENDERER: (ENCODERS, OUTPUTS), ENCODERS: (OUTPUTS,)}
    problems = []
    for name in sorted(edges):
        for stage, later in downstream.items():
            if _within(name, stage):
                problems += [
                    f"{name} ({stage}) imports {target}, which is downstream of it"
                    for target in sorted(edges[name]) if _within(target, *later)
                ]
    return problems


# --- the rules, on the real tree ----------------------------------------------------------------

MODULES = discover()
EDGES = graph(MODULES)


def test_the_walk_sees_the_project() -> None:
    # Guard: if discovery broke, every rule below would pass on nothing.
    for name in REQUIRED:
        assert name in MODULES, f"{name} is missing"
    assert "compositor.errors" in EDGES["compositor.scene.codec"]
    assert "compositor.pipeline" in EDGES["control.service.serve"]


def test_the_top_level_is_the_documented_one() -> None:
    top = {p.name for p in ROOT.iterdir() if not p.name.startswith(".")}
    expected = {"pyproject.toml", "compositor", "shaders", "control", "tests", "benchmarks",
                "README.md", "scripts", "docs", "Makefile", "requirements.lock"}
    ignored = {"build", "dist", "__pycache__"} | {p for p in top if p.endswith(".egg-info")}
    assert top - ignored == expected


def test_the_engine_never_imports_the_control_plane() -> None:
    assert engine_violations(EDGES) == []


def test_the_scene_is_pure_and_layered() -> None:
    assert scene_violations(MODULES) == []


def test_control_never_reaches_the_engine_outside_the_service() -> None:
    assert control_violations(EDGES) == []


def test_only_the_service_wires_app_store_and_engine() -> None:
    assert wiring_violations(EDGES) == []


def test_only_the_wiring_imports_renderer_encoders_and_outputs_together() -> None:
    assert together_violations(EDGES) == []


def test_data_flows_renderer_to_encoders_to_outputs() -> None:
    assert direction_violations(EDGES) == []


def test_no_module_is_over_400_lines() -> None:
    # The house rule (modules that own one noun stay small): a module that grows past it is
    # split by noun, as codec/, animation/ and the stores were.
    sources = [p for package in (*PACKAGES, "tests", "benchmarks")
               for p in (ROOT / package).rglob("*.py")]
    assert len(sources) > 100
    long = {str(p.relative_to(ROOT)): n for p in sources
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
