"""Clip layers on the GPU: decoded YUV 4:2:0 pictures as three R8 textures, converted in a shader.

The renderer never decodes: a :class:`ClipSource` it is given hands it, for a video layer at an
absolute frame, the decoded picture (a :class:`YuvPicture`, e.g. ``compositor.media.VideoFrame``)
and the clip's display size. :class:`VideoLayers` keeps one set of three textures (Y full size,
Cb and Cr half size) per *playing layer* and uploads a picture only when its ``key`` (asset id,
media frame index) differs from the one already uploaded for that layer; a layer's textures are
released at the end of the first frame that does not draw it. Textures are sampled bilinearly
without mipmaps (a clip changes every frame: building a mipmap chain per frame is not worth it),
and the fragment program ``shaders/video.glsl`` converts to RGB with the matrix of
:func:`yuv_to_rgb`, then premultiplies in the blending space exactly as images are.

Colour: BT.601 (``Kr = 0.299, Kb = 0.114``) or BT.709 (``Kr = 0.2126, Kb = 0.0722``), limited
range (Y 16..235, Cb/Cr 16..240 around 128) or full range (0..255, chroma around 128). The
resulting R'G'B' is treated as sRGB-encoded, as browsers and broadcast graphics systems do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import moderngl
import numpy as np
import numpy.typing as npt

from compositor.gl.shaders import load_program
from compositor.scene import VideoContent

__all__ = ["ClipSource", "VideoLayers", "YuvPicture", "yuv_to_rgb"]

Matrix = Literal["bt601", "bt709"]
_K: dict[str, tuple[float, float]] = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}


class YuvPicture(Protocol):
    """A decoded picture (``compositor.media.VideoFrame`` is one): uint8 yuv420p planes, ``y``
    of shape (height, width), ``u``/``v`` of (ceil(height/2), ceil(width/2)), top row first.
    Same ``key`` means the same picture (so it is uploaded once)."""

    @property
    def key(self) -> tuple[str, int]: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def y(self) -> npt.NDArray[np.uint8]: ...
    @property
    def u(self) -> npt.NDArray[np.uint8]: ...
    @property
    def v(self) -> npt.NDArray[np.uint8]: ...
    @property
    def matrix(self) -> Matrix: ...
    @property
    def full_range(self) -> bool: ...


class ClipSource(Protocol):
    """What the renderer asks about clip layers, on the render thread (never blocking longer than
    the pipeline allows: live renders get whatever is decoded)."""

    def size(self, content: VideoContent) -> tuple[float, float] | None:
        """The clip's display size in px (sample aspect applied), None when it is unknown."""
        ...

    def picture(self, layer_id: str, content: VideoContent, frame: int) -> YuvPicture | None:
        """The picture layer ``layer_id`` shows at absolute ``frame``; None: nothing."""
        ...


def yuv_to_rgb(matrix: Matrix, full_range: bool) -> tuple[npt.NDArray[np.float64],
                                                            npt.NDArray[np.float64]]:
    """``(m, offset)`` with ``rgb = m @ (yuv - offset)`` for codes normalised to 0..1 (code/255).

    ``m`` is 3x3 (rows R, G, B), ``offset`` the black level and chroma zero of the range.
    Raises ``KeyError`` for an unknown matrix.
    """
    kr, kb = _K[matrix]
    kg = 1.0 - kr - kb
    # Y'PbPr -> R'G'B' (ITU-R BT.601/BT.709 section 3).
    conv = np.array([
        [1.0, 0.0, 2.0 * (1.0 - kr)],
        [1.0, -2.0 * kb * (1.0 - kb) / kg, -2.0 * kr * (1.0 - kr) / kg],
        [1.0, 2.0 * (1.0 - kb), 0.0],
    ])
    if full_range:
        scale = np.array([1.0, 1.0, 1.0])
        offset = np.array([0.0, 128.0 / 255.0, 128.0 / 255.0])
    else:
        scale = np.array([255.0 / 219.0, 255.0 / 224.0, 255.0 / 224.0])
        offset = np.array([16.0 / 255.0, 128.0 / 255.0, 128.0 / 255.0])
    return conv * scale[None, :], offset


@dataclass(slots=True)
class _Planes:
    key: tuple[str, int]
    textures: tuple[moderngl.Texture, moderngl.Texture, moderngl.Texture]
    shapes: tuple[tuple[int, int], ...]  # (height, width) of Y, Cb, Cr


class VideoLayers:
    """The clip program and each playing layer's plane textures. GL thread only."""

    def __init__(self, ctx: moderngl.Context, quad: moderngl.Buffer, *, linear_light: bool) -> None:
        self._ctx = ctx
        self._program = load_program(ctx, "video")
        self._vao = ctx.vertex_array(self._program, [(quad, "2f", "in_unit")])
        self._program["u_linear"].value = linear_light  # type: ignore[union-attr]
        for unit, name in enumerate(("u_y", "u_cb", "u_cr")):
            self._program[name].value = unit  # type: ignore[union-attr]
        self._layers: dict[str, _Planes] = {}
        self.uploads = 0  # pictures uploaded (three planes each)
        self.releases = 0  # layers whose textures were released

    def __len__(self) -> int:
        return len(self._layers)

    def bind(self, layer_id: str, picture: YuvPicture, clip: npt.NDArray[np.float64],
             uv: tuple[float, float, float, float], opacity: float) -> moderngl.VertexArray:
        """Upload ``picture`` for ``layer_id`` when it is new, set the program up for the quad
        ``clip`` (unit square -> clip space, 3x3) with source rectangle ``uv`` and return the
        vertex array to draw (a triangle strip)."""
        planes = self._planes(layer_id, picture)
        matrix, offset = yuv_to_rgb(picture.matrix, picture.full_range)
        program = self._program
        program["u_matrix"].write(clip.T.astype("f4").tobytes())  # type: ignore[union-attr]
        program["u_uv"].value = uv  # type: ignore[union-attr]
        program["u_yuv_to_rgb"].write(matrix.T.astype("f4").tobytes())  # type: ignore[union-attr]
        program["u_yuv_offset"].value = tuple(float(x) for x in offset)  # type: ignore[union-attr]
        program["u_opacity"].value = opacity  # type: ignore[union-attr]
        for unit, texture in enumerate(planes.textures):
            texture.use(location=unit)
        return self._vao

    def end_frame(self, shown: set[str]) -> None:
        """Release the textures of every layer but those ``shown`` in this frame (drawn, or
        kept on screen from the frame before by a damaged redraw)."""
        for layer_id in [key for key in self._layers if key not in shown]:
            self._drop(layer_id)
            self.releases += 1

    def release(self) -> None:
        for layer_id in list(self._layers):
            self._drop(layer_id)
        self._vao.release()
        self._program.release()

    def _planes(self, layer_id: str, picture: YuvPicture) -> _Planes:
        arrays = (picture.y, picture.u, picture.v)
        shapes = tuple((int(a.shape[0]), int(a.shape[1])) for a in arrays)
        planes = self._layers.get(layer_id)
        if planes is not None and planes.key == picture.key:
            return planes
        if planes is None or planes.shapes != shapes:
            if planes is not None:
                self._drop(layer_id)
            planes = _Planes(picture.key, self._textures(shapes), shapes)
            self._layers[layer_id] = planes
        for texture, array in zip(planes.textures, arrays, strict=True):
            texture.write(np.ascontiguousarray(array, dtype=np.uint8))  # no copy if packed
        planes.key = picture.key
        self.uploads += 1
        return planes

    def _textures(self, shapes: tuple[tuple[int, int], ...]
                  ) -> tuple[moderngl.Texture, moderngl.Texture, moderngl.Texture]:
        made = []
        for height, width in shapes:
            texture = self._ctx.texture((width, height), 1, alignment=1)
            texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
            texture.repeat_x = False
            texture.repeat_y = False
            made.append(texture)
        return made[0], made[1], made[2]

    def _drop(self, layer_id: str) -> None:
        for texture in self._layers.pop(layer_id).textures:
            texture.release()
