"""A float64 numpy reference compositor: what the GPU renderer should produce, computed slowly.

``reference_composite(scene, assets, frame_size)`` returns the frame as float64 (H, W, 4),
straight (un-premultiplied) sRGB in 0..1, top row first, comparable with
``FrameRenderer.read_rgba() / 255``.

It is written independently of the renderer's geometry: each pixel centre is mapped back into each
layer's box (inverse of translate · rotate · scale about the anchor), tested for being inside, and
the source is sampled bilinearly at the resulting texel position (clamp to edge; no mipmaps, so
compare downscaled content only where it is smooth). Blending follows the W3C premultiplied
formulas listed in ``compositor/gl/renderer.py``, without clamping between layers (the frame is
half-float); image sources are rounded like the premultiplied RGBA8 textures. Text uses the
product's rasteriser (glyph shapes are not what is being checked; placement, colour and blending
are).

Clip layers take their decoded pictures from ``videos`` (layer id -> (picture, display size)):
each of the Y, Cb, Cr planes is sampled bilinearly at the pixel's source position (the chroma
planes stretched over the same rectangle), then converted with the inverse of the BT.601/BT.709
R'G'B' -> Y'CbCr matrix (computed here with ``numpy.linalg.inv`` from the Kr/Kb definition, not
from the renderer's formulas), clipped to 0..1 and treated as sRGB-encoded opaque colour.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from compositor.gl.images import srgb_decode, srgb_encode
from compositor.gl.text import FontBook, quantize_scale, rasterize_text
from compositor.scene import (
    Color,
    ColorContent,
    ImageContent,
    Layer,
    Scene,
    TextContent,
    VideoContent,
    draw_order,
)

__all__ = ["reference_composite"]

Array = npt.NDArray[np.float64]
Assets = Mapping[str, bytes] | Callable[[str], bytes | None]
Sampler = Callable[[Array, Array], Array]
Videos = Mapping[str, tuple[Any, tuple[float, float]]]
"""Layer id -> (a picture with ``y``, ``u``, ``v``, ``matrix``, ``full_range``; display size)."""


def reference_composite(
    scene: Scene,
    assets: Assets,
    frame_size: tuple[int, int],
    *,
    linear_light: bool = False,
    videos: Videos | None = None,
) -> Array:
    """The expected frame (H, W, 4) float64, straight sRGB, for ``frame_size`` = (width, height)."""
    lookup = assets.get if isinstance(assets, Mapping) else assets
    width, height = frame_size
    # Pixel centres in canvas px (the scene canvas is stretched onto the frame).
    xs = (np.arange(width) + 0.5) * (scene.width / width)
    ys = (np.arange(height) + 0.5) * (scene.height / height)
    px, py = np.meshgrid(xs, ys)
    out = np.empty((height, width, 4))
    out[...] = _premultiplied(scene.background, linear_light)
    fonts = FontBook(lookup)
    for layer in draw_order(scene):
        if not layer.visible or layer.opacity <= 0.0:
            continue
        if isinstance(layer.content, VideoContent):
            video = (videos or {}).get(layer.id)
            source = None if video is None else (_yuv_sampler(video[0], linear_light), video[1])
        else:
            source = _source(layer, scene, lookup, fonts, linear_light)
        if source is None:
            continue
        sampler, natural = source
        src = _sample_layer(layer, sampler, natural, px, py) * min(1.0, layer.opacity)
        # The frame is half-float in both modes: no clamping or rounding between layers.
        out = _blend(layer.blend, src, out)
    out = np.clip(out, 0.0, 1.0)
    alpha = out[..., 3:4]
    straight = np.divide(out[..., :3], alpha, out=np.zeros_like(out[..., :3]), where=alpha > 0)
    if linear_light:
        straight = srgb_encode(straight)
    return np.concatenate([np.clip(straight, 0.0, 1.0), alpha], axis=2)


def _premultiplied(color: Color, linear_light: bool) -> Array:
    rgba = np.array(color.to_floats())
    rgb = srgb_decode(rgba[:3]) if linear_light else rgba[:3]
    return np.concatenate([rgb * rgba[3], rgba[3:]])


def _source(
    layer: Layer,
    scene: Scene,
    lookup: Callable[[str], bytes | None],
    fonts: FontBook,
    linear_light: bool,
) -> tuple[Sampler, tuple[float, float]] | None:
    """The premultiplied source's sampler and its natural size before crop; None to skip."""
    content = layer.content
    if isinstance(content, ColorContent):
        pixels = _premultiplied(content.color, linear_light).reshape(1, 1, 4)
        return _image_sampler(pixels), (float(scene.width), float(scene.height))
    if isinstance(content, ImageContent):
        data = lookup(content.asset)
        if data is None:
            return None
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.seek(0)
                rgba = np.asarray(image.convert("RGBA"), dtype=np.float64) / 255.0
        except Exception:  # broken asset: the renderer skips it too
            return None
        # Textures hold premultiplied RGBA8 (sRGB-encoded in linear mode): model that rounding.
        if linear_light:
            premul = srgb_decode(
                np.rint(srgb_encode(srgb_decode(rgba[..., :3]) * rgba[..., 3:]) * 255) / 255
            )
        else:
            premul = np.rint(rgba[..., :3] * rgba[..., 3:] * 255.0) / 255.0
        pixels = np.concatenate([premul, rgba[..., 3:]], axis=2)
        return _image_sampler(pixels), (float(rgba.shape[1]), float(rgba.shape[0]))
    if not isinstance(content, TextContent):  # audio, live inputs: nothing to draw
        return None
    return _text_source(layer, content, fonts, linear_light)


def _image_sampler(pixels: Array) -> Sampler:
    return lambda u, v: _bilinear(pixels, u, v)


def _yuv_sampler(picture: Any, linear_light: bool) -> Sampler:
    kr, kb = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}[picture.matrix]
    kg = 1.0 - kr - kb
    # R'G'B' -> Y', Pb = (B' - Y') / (2 (1 - Kb)), Pr = (R' - Y') / (2 (1 - Kr)); inverted.
    forward = np.array([
        [kr, kg, kb],
        [-kr / (2 * (1 - kb)), -kg / (2 * (1 - kb)), (1 - kb) / (2 * (1 - kb))],
        [(1 - kr) / (2 * (1 - kr)), -kg / (2 * (1 - kr)), -kb / (2 * (1 - kr))],
    ])
    inverse = np.linalg.inv(forward)
    if picture.full_range:
        black, luma_span, chroma_span = 0.0, 255.0, 255.0
    else:
        black, luma_span, chroma_span = 16.0, 219.0, 224.0
    planes = [np.asarray(p, dtype=np.float64)[..., None] for p in (picture.y, picture.u,
                                                                  picture.v)]

    def sample(u: Array, v: Array) -> Array:
        y, cb, cr = (_bilinear(plane, u, v)[..., 0] for plane in planes)
        ypbpr = np.stack([(y - black) / luma_span, (cb - 128.0) / chroma_span,
                          (cr - 128.0) / chroma_span], axis=-1)
        rgb = np.clip(ypbpr @ inverse.T, 0.0, 1.0)
        if linear_light:
            rgb = srgb_decode(rgb)
        return np.concatenate([rgb, np.ones((*rgb.shape[:-1], 1))], axis=-1)

    return sample


def _text_source(
    layer: Layer, content: TextContent, fonts: FontBook, linear_light: bool
) -> tuple[Sampler, tuple[float, float]] | None:
    if not content.text.strip():
        return None
    scale = quantize_scale(max(abs(layer.transform.scale_x), abs(layer.transform.scale_y)))
    try:
        font = fonts.font(content.font, max(1, round(content.size_px * scale)))
    except Exception:
        return None
    raster = rasterize_text(content, font, scale)
    if raster is None:
        return None
    coverage = raster.coverage.astype(np.float64)[..., None] / 255.0
    pixels = coverage * _premultiplied(content.color, linear_light)
    return _image_sampler(pixels), raster.natural_size


def _sample_layer(
    layer: Layer, sampler: Sampler, natural: tuple[float, float], px: Array, py: Array
) -> Array:
    """The layer's premultiplied colour at every pixel centre (zero outside its box)."""
    t, crop = layer.transform, layer.crop
    keep_w, keep_h = max(0.0, 1.0 - crop.left - crop.right), max(0.0, 1.0 - crop.top - crop.bottom)
    box_w = natural[0] * keep_w if t.width_px is None else t.width_px
    box_h = natural[1] * keep_h if t.height_px is None else t.height_px
    if box_w == 0 or box_h == 0 or t.scale_x == 0 or t.scale_y == 0:
        return np.zeros((*px.shape, 4))
    theta = math.radians(t.rotation_deg)
    dx, dy = px - t.x_px, py - t.y_px
    # Undo the clockwise rotation (y down), then the scale, then the anchor offset.
    rx = math.cos(theta) * dx + math.sin(theta) * dy
    ry = -math.sin(theta) * dx + math.cos(theta) * dy
    lx = rx / t.scale_x + t.anchor_x * box_w
    ly = ry / t.scale_y + t.anchor_y * box_h
    inside = (lx >= 0) & (lx < box_w) & (ly >= 0) & (ly < box_h)
    u = crop.left + (lx / box_w) * keep_w
    v = crop.top + (ly / box_h) * keep_h
    sampled = sampler(u, v)
    return np.where(inside[..., None], sampled, 0.0)


def _bilinear(pixels: Array, u: Array, v: Array) -> Array:
    h, w = pixels.shape[:2]
    tx = np.clip(u * w - 0.5, 0.0, w - 1.0)
    ty = np.clip(v * h - 0.5, 0.0, h - 1.0)
    x0 = np.floor(tx).astype(int)
    y0 = np.floor(ty).astype(int)
    x1 = np.minimum(x0 + 1, w - 1)
    y1 = np.minimum(y0 + 1, h - 1)
    fx = (tx - x0)[..., None]
    fy = (ty - y0)[..., None]
    top = pixels[y0, x0] * (1 - fx) + pixels[y0, x1] * fx
    bottom = pixels[y1, x0] * (1 - fx) + pixels[y1, x1] * fx
    result: Array = top * (1 - fy) + bottom * fy
    return result


def _blend(mode: str, src: Array, dst: Array) -> Array:
    cs, a_s = src[..., :3], src[..., 3:4]
    cb, a_b = dst[..., :3], dst[..., 3:4]
    alpha = a_s + a_b * (1 - a_s)
    if mode == "normal":
        rgb = cs + cb * (1 - a_s)
    elif mode == "add":
        # A float framebuffer does not clamp until output (CSS plus-lighter clamps each step).
        rgb, alpha = cs + cb, a_s + a_b
    elif mode == "multiply":
        rgb = cs * cb + cs * (1 - a_b) + cb * (1 - a_s)
    elif mode == "screen":
        rgb = cs + cb - cs * cb
    else:
        raise ValueError(f"unknown blend mode {mode!r}")
    return np.concatenate([rgb, alpha], axis=2)
