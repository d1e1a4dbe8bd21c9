"""The shader loader: one ``.glsl`` file per program under ``shaders/``.

A file holds a common preamble (``#version`` and shared declarations) followed by sections that
each start with a marker line ``#section VERTEX_SHADER``, ``#section FRAGMENT_SHADER`` or
``#section COMPUTE_SHADER``. Each stage is compiled from the preamble plus its section; a
``#line`` directive keeps the driver's line numbers equal to the file's.

Every failure (missing file, missing section, compile or link error) raises
:class:`ShaderError` with the file path and the driver's log.
"""

from __future__ import annotations

from pathlib import Path

import moderngl

import shaders
from compositor.errors import ShaderError

__all__ = ["SHADER_DIR", "STAGES", "load_compute", "load_program", "read_sections"]

SHADER_DIR = Path(shaders.__file__).resolve().parent
STAGES = ("VERTEX_SHADER", "FRAGMENT_SHADER", "GEOMETRY_SHADER", "COMPUTE_SHADER")
_MARKER = "#section "


def read_sections(path: Path) -> dict[str, str]:
    """Stage name -> complete source of that stage (preamble + ``#line`` + section)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ShaderError(str(path), f"cannot read: {exc}") from exc
    preamble: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        if line.startswith(_MARKER):
            stage = line[len(_MARKER) :].strip()
            if stage not in STAGES or stage in sections:
                raise ShaderError(str(path), f"line {number}: bad or repeated section {stage!r}")
            # GLSL #line N means "the next line is line N".
            current = sections[stage] = [f"#line {number + 1}"]
        elif current is None:
            preamble.append(line)
        else:
            current.append(line)
    head = "\n".join(preamble)
    return {stage: head + "\n" + "\n".join(body) + "\n" for stage, body in sections.items()}


def load_program(
    ctx: moderngl.Context, name: str, *, shader_dir: Path = SHADER_DIR
) -> moderngl.Program:
    """Compile and link ``<shader_dir>/<name>.glsl`` (vertex + fragment, optional geometry)."""
    path = shader_dir / f"{name}.glsl"
    sections = read_sections(path)
    for stage in ("VERTEX_SHADER", "FRAGMENT_SHADER"):
        if stage not in sections:
            raise ShaderError(str(path), f"no {stage} section")
    try:
        return ctx.program(
            vertex_shader=sections["VERTEX_SHADER"],
            fragment_shader=sections["FRAGMENT_SHADER"],
            geometry_shader=sections.get("GEOMETRY_SHADER"),
        )
    except moderngl.Error as exc:
        raise ShaderError(str(path), str(exc)) from exc


def load_compute(
    ctx: moderngl.Context, name: str, *, shader_dir: Path = SHADER_DIR
) -> moderngl.ComputeShader:
    """Compile ``<shader_dir>/<name>.glsl``'s COMPUTE_SHADER section."""
    path = shader_dir / f"{name}.glsl"
    sections = read_sections(path)
    if "COMPUTE_SHADER" not in sections:
        raise ShaderError(str(path), "no COMPUTE_SHADER section")
    try:
        return ctx.compute_shader(sections["COMPUTE_SHADER"])
    except moderngl.Error as exc:
        raise ShaderError(str(path), str(exc)) from exc
