"""The GL context factory and the shader loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from compositor.errors import GLContextError, ShaderError
from compositor.gl.context import GLContext, create_context
from compositor.gl.shaders import SHADER_DIR, load_compute, load_program, read_sections


def test_context_reports_its_renderer(gl: GLContext) -> None:
    assert gl.renderer and gl.vendor and gl.version
    assert gl.ctx.version_code >= 430
    assert gl.is_software == ("llvmpipe" in gl.renderer.lower())


def test_require_gpu_refuses_software_rendering(gl: GLContext) -> None:
    if not gl.is_software:
        pytest.skip("this machine renders on a GPU")
    with pytest.raises(GLContextError, match="software"):
        create_context(require_gpu=True)


def test_bad_device_index_is_a_context_error() -> None:
    with pytest.raises(GLContextError):
        create_context(device_index=999)


@pytest.mark.gpu
def test_gpu_context_is_hardware() -> None:
    context = create_context(require_gpu=True)
    try:
        assert not context.is_software
    finally:
        context.release()


def test_every_shipped_shader_compiles(gl: GLContext) -> None:
    for path in sorted(SHADER_DIR.glob("*.glsl")):
        sections = read_sections(path)
        if "COMPUTE_SHADER" in sections:
            load_compute(gl.ctx, path.stem).release()
        else:
            load_program(gl.ctx, path.stem).release()


def test_compile_errors_name_the_file_and_line(gl: GLContext, tmp_path: Path) -> None:
    (tmp_path / "broken.glsl").write_text(
        "#version 430 core\n"
        "#section VERTEX_SHADER\n"
        "void main() { gl_Position = vec4(0.0); }\n"
        "#section FRAGMENT_SHADER\n"
        "out vec4 c;\n"
        "void main() { c = undefined_thing; }\n"
    )
    with pytest.raises(ShaderError) as caught:
        load_program(gl.ctx, "broken", shader_dir=tmp_path)
    assert caught.value.path.endswith("broken.glsl")
    assert "undefined_thing" in caught.value.log
    assert ":6" in caught.value.log or "(6)" in caught.value.log  # file line numbers survive


def test_missing_file_and_sections(gl: GLContext, tmp_path: Path) -> None:
    with pytest.raises(ShaderError, match="cannot read"):
        load_program(gl.ctx, "absent", shader_dir=tmp_path)
    (tmp_path / "half.glsl").write_text(
        "#version 430 core\n#section VERTEX_SHADER\nvoid main(){}\n"
    )
    with pytest.raises(ShaderError, match="FRAGMENT_SHADER"):
        load_program(gl.ctx, "half", shader_dir=tmp_path)
    with pytest.raises(ShaderError, match="COMPUTE_SHADER"):
        load_compute(gl.ctx, "half", shader_dir=tmp_path)
    (tmp_path / "twice.glsl").write_text("#section VERTEX_SHADER\n#section VERTEX_SHADER\n")
    with pytest.raises(ShaderError, match="repeated"):
        read_sections(tmp_path / "twice.glsl")


def test_includes_are_inlined_and_errors_name_the_included_file(gl: GLContext,
                                                                 tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "helpers.glsl").write_text(
        "// a helper\nfloat half_of(float x) { return x * 0.5; }\nfloat bad() { return nope; }\n")
    (tmp_path / "uses.glsl").write_text(
        "#version 430 core\n"
        "#section VERTEX_SHADER\n"
        "void main() { gl_Position = vec4(0.0); }\n"
        "#section FRAGMENT_SHADER\n"
        "out vec4 c;\n"
        '#include "lib/helpers.glsl"\n'
        "void main() { c = vec4(half_of(1.0)); }\n"
    )
    source = read_sections(tmp_path / "uses.glsl")["FRAGMENT_SHADER"]
    assert "half_of" in source and "#line 1 1" in source and "#line 7 0" in source
    with pytest.raises(ShaderError) as caught:
        load_program(gl.ctx, "uses", shader_dir=tmp_path)
    assert "nope" in caught.value.log
    assert "1:3" in caught.value.log  # line 3 of source string 1...
    assert "1 = lib/helpers.glsl" in caught.value.log  # ...which is the included file


def test_shared_shader_code_is_written_once() -> None:
    # srgb_encode and the full-viewport vertex stage live in shaders/lib/ only.
    for path in SHADER_DIR.glob("*.glsl"):
        text = path.read_text()
        assert "vec3 srgb_encode(" not in text, path.name
        assert "gl_VertexID << 1" not in text, path.name
