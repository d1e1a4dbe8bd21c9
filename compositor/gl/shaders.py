"""The shader loader: one ``.glsl`` file per program under ``shaders/``.

A file holds a common preamble (``#version`` and shared declarations) followed by sections that
each start with a marker line ``#section VERTEX_SHADER``, ``#section FRAGMENT_SHADER`` or
``#section COMPUTE_SHADER``. Each stage is compiled from the preamble plus its section; a
``#line`` directive keeps the driver's line numbers equal to the file's.

Code shared by several programs lives once under ``shaders/lib/`` and is pulled in with a line
``#include "lib/NAME.glsl"`` (in the preamble or in a section; no nesting). The included lines
are compiled as GLSL source string N (``#line 1 N``), so a driver message such as ``1:4(9)``
means line 4 of the first file included; :class:`ShaderError` logs say which file is which.

Every failure (missing file, missing section, compile or link error) raises
:class:`ShaderError` with the file path and the driver's log.
"""

from __future__ import annotations

import re
from pathlib import Path

import moderngl

import shaders
from compositor.errors import ShaderError

__all__ = ["SHADER_DIR", "STAGES", "load_compute", "load_program", "read_sections"]

SHADER_DIR = Path(shaders.__file__).resolve().parent
STAGES = ("VERTEX_SHADER", "FRAGMENT_SHADER", "GEOMETRY_SHADER", "COMPUTE_SHADER")
_MARKER = "#section "
_INCLUDE = re.compile(r'#include\s+"(lib/[A-Za-z0-9_]+\.glsl)"')


def read_sections(path: Path) -> dict[str, str]:
    """Stage name -> complete source of that stage (preamble + ``#line`` + section), with
    ``#include`` lines replaced by the files they name."""
    lines = _read_lines(path)
    includes = _included_files(path, lines)
    preamble: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        target = current if current is not None else preamble
        if line.startswith(_MARKER):
            stage = line[len(_MARKER) :].strip()
            if stage not in STAGES or stage in sections:
                raise ShaderError(str(path), f"line {number}: bad or repeated section {stage!r}")
            # GLSL #line N means "the next line is line N".
            current = sections[stage] = [f"#line {number + 1}"]
        elif (name := _include_name(line)) is not None:
            source = includes.index(name) + 1
            target += [f"#line 1 {source}", *_read_lines(path.parent / name),
                       f"#line {number + 1} 0"]
        else:
            target.append(line)
    head = "\n".join(preamble)
    return {stage: head + "\n" + "\n".join(body) + "\n" for stage, body in sections.items()}


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ShaderError(str(path), f"cannot read: {exc}") from exc


def _include_name(line: str) -> str | None:
    match = _INCLUDE.fullmatch(line.strip())
    return None if match is None else match.group(1)


def _included_files(path: Path, lines: list[str]) -> list[str]:
    """The files ``path`` includes, in order of first use (source string 1, 2, ...)."""
    names: list[str] = []
    for line in lines:
        name = _include_name(line)
        if name is not None and name not in names:
            if any(_include_name(inner) for inner in _read_lines(path.parent / name)):
                raise ShaderError(str(path), f"{name}: an included file may not include")
            names.append(name)
    return names


def _compile_error(path: Path, exc: moderngl.Error) -> ShaderError:
    names = _included_files(path, _read_lines(path))
    legend = ", ".join(f"{i} = {name}" for i, name in enumerate([path.name, *names]))
    return ShaderError(str(path), f"{exc}\n(GLSL source strings: {legend})" if names else str(exc))


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
        raise _compile_error(path, exc) from exc


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
        raise _compile_error(path, exc) from exc
