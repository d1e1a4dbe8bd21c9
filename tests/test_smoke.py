"""Environment smoke tests: prove the machine has what the project is built on.

Headless OpenGL through EGL (Mesa llvmpipe where there is no GPU), PyAV with libx264, a Redis
server binary and nginx with the RTMP module. If one of these fails, fix the environment
(scripts/bootstrap) before reading any other failure.
"""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import moderngl
import numpy as np

RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")


def test_moderngl_egl_standalone_renders_and_reads_back() -> None:
    # moderngl-stubs types **settings as Dict[str, Any] per keyword (a stub bug); passing the
    # settings as an unpacked dict[str, Any] keeps mypy strict without an ignore.
    settings: dict[str, Any] = {"backend": "egl"}
    ctx = moderngl.create_context(standalone=True, **settings)
    try:
        renderer = ctx.info["GL_RENDERER"]
        assert isinstance(renderer, str)
        assert renderer
        assert ctx.version_code >= 330, f"need GL >= 3.3 core, got {ctx.version_code}"

        width, height = 8, 4
        fbo = ctx.simple_framebuffer((width, height), components=4)
        fbo.use()
        fbo.clear(red=1.0, green=0.5, blue=0.0, alpha=1.0)
        pixels = np.frombuffer(fbo.read(components=4), dtype=np.uint8)
        pixels = pixels.reshape(height, width, 4)
        expected = np.array([255, 128, 0, 255], dtype=np.int16)
        assert np.abs(pixels.astype(np.int16) - expected).max() <= 1, pixels[0, 0]
        fbo.release()
    finally:
        ctx.release()


def test_pyav_encodes_h264_with_libx264() -> None:
    codec = av.CodecContext.create("libx264", "w")
    assert isinstance(codec, av.VideoCodecContext)
    codec.width, codec.height = 64, 36
    codec.pix_fmt = "yuv420p"
    codec.time_base = Fraction(1, 60)
    codec.options = {"preset": "ultrafast", "tune": "zerolatency"}
    rgb = np.zeros((36, 64, 3), dtype=np.uint8)
    rgb[..., 0] = 200
    packets = []
    for pts in range(3):
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
        frame.pts = pts
        packets.extend(codec.encode(frame))
    packets.extend(codec.encode(None))
    assert packets, "libx264 produced no packets"
    assert sum(p.size for p in packets) > 0


def test_redis_server_binary() -> None:
    exe = shutil.which("redis-server")
    assert exe is not None, "redis-server is not installed (scripts/bootstrap installs it)"
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True, timeout=30)
    assert "Redis server" in out.stdout


def test_nginx_with_rtmp_module() -> None:
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(exe).exists(), "nginx is not installed (scripts/bootstrap installs it)"
    out = subprocess.run([exe, "-V"], capture_output=True, text=True, check=True, timeout=30)
    assert "nginx version" in out.stderr
    assert RTMP_MODULE.exists(), f"{RTMP_MODULE} missing: install libnginx-mod-rtmp"
