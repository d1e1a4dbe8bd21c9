"""Draw a static Scene into a framebuffer: every visible layer, by z order, as a textured quad.

Colour handling
---------------
Scene colours and images are sRGB. Everything on the GPU is *premultiplied* (colour × alpha), so
filtering, mipmaps and blending never produce dark fringes.

* Default, sRGB-space blending: blending operates on the sRGB-encoded values, as browsers, CSS and
  designers' tools do, so a 50 % grey at 50 % opacity looks the way the designer saw it.
* ``linear_light=True``: colours are decoded to linear light, blended there (physically correct
  mixing: a half-transparent white over black is brighter than in sRGB mode) and encoded back to
  sRGB on output.

The frame is RGBA16F in both modes, so stacked translucent layers do not band and each blend is
exact to well under one 8-bit code value; values are clamped to 0..1 only on output, which means
``add`` saturates at the end of the stack rather than at each layer.

Blend modes (W3C compositing formulas in premultiplied form, ``s`` source, ``b`` backdrop):

* ``normal``: co = cs + cb (1 - as)
* ``add`` (CSS plus-lighter): co = cs + cb, ao = as + ab (clamped on output)
* ``multiply``: co = cs cb + cs (1 - ab) + cb (1 - as) (two draws; the second adds cs (1 - ab))
* ``screen``: co = cs + cb - cs cb

Alpha is ``as + ab (1 - as)`` except for ``add``. Opacity scales the premultiplied source.
The background colour is cleared first.

A layer whose asset or font is missing or broken is skipped and reported in :attr:`problems`; it
never fails the frame. The framebuffer keeps the canvas top row at GL row 0.

Clip layers (``video`` with an ``asset``) are drawn from the pictures of the :class:`ClipSource`
the renderer is given, through :mod:`compositor.gl.video` (YUV planes converted in the shader,
premultiplied like images); their natural size is the clip's display size. Without a source, a
video layer with a live ``input`` and an ``audio`` layer draw nothing.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable

import moderngl
import numpy as np

from compositor.errors import AssetError, AssetMissingError
from compositor.gl.context import unbind_framebuffer
from compositor.gl.damage import Footprint, Rect, damage, overlaps
from compositor.gl.formats import FRAME_FORMATS
from compositor.gl.images import decode_image, premultiply, srgb_decode
from compositor.gl.layer_passes import Drawable, LayerPasses, Placed
from compositor.gl.static_base import StaticBase
from compositor.gl.text import FontBook, TextRaster, quantize_scale, rasterize_text
from compositor.gl.textures import AssetSource, CachedTexture, TextureCache, TextureData
from compositor.gl.video import ClipSource, VideoLayers
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
from compositor.scene.geometry import canvas_to_clip

__all__ = ["Renderer", "content_key"]

log = logging.getLogger(__name__)

_TEXT_FAILURES_KEPT = 256


def content_key(layer: Layer) -> Hashable | None:
    """The texture-cache key of a layer's content (None for colour layers)."""
    content = layer.content
    if isinstance(content, ImageContent):
        return ("image", content.asset)
    if isinstance(content, TextContent):
        scale = quantize_scale(max(abs(layer.transform.scale_x), abs(layer.transform.scale_y)))
        return (
            "text",
            content.text,
            content.font,
            content.size_px,
            content.align,
            content.max_width_px,
            scale,
        )
    return None


class Renderer:
    """Owns the frame, the layer program and the texture cache. One thread (the GL one) only."""

    def __init__(
        self,
        ctx: moderngl.Context,
        width: int,
        height: int,
        assets: AssetSource,
        *,
        linear_light: bool = False,
        texture_budget_bytes: int = 512 * 2**20,
        anisotropy: float = 16.0,
        clips: ClipSource | None = None,
        frame_format: str = "rgba16f",
    ) -> None:
        if frame_format not in FRAME_FORMATS:
            raise ValueError(f"unknown frame format {frame_format!r}; expected one of "
                             f"{FRAME_FORMATS}")
        if frame_format == "rgba8" and linear_light:
            raise ValueError("linear light needs the rgba16f frame (8-bit linear light bands)")
        self.ctx = ctx
        self.width = width
        self.height = height
        self.linear_light = linear_light
        self.frame_format = frame_format
        self._assets = assets
        # Half-float by default: stacked translucent layers neither band nor drift, and ``add``
        # saturates at the end of the stack. rgba8 rounds at every layer and clamps each ``add``
        # at once, for a sixth less time per frame on a software renderer (see FrameRenderer).
        self.frame = ctx.texture((width, height), 4, dtype="f2" if frame_format == "rgba16f"
                                 else "f1")
        self.frame.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self.fbo = ctx.framebuffer(color_attachments=[self.frame])
        self._quad = ctx.buffer(np.array([0, 0, 1, 0, 0, 1, 1, 1], dtype="f4").tobytes())
        self._clips = clips
        # The clip program is compiled only where clips can play (a renderer without a clip
        # source starts as fast as before).
        self.video = (VideoLayers(ctx, self._quad, linear_light=linear_light)
                      if clips is not None else None)
        self._passes = LayerPasses(ctx, self._quad, (width, height), self.video)
        self.base = StaticBase(ctx, (width, height), self.frame.dtype, self._passes)
        self._white = ctx.texture((1, 1), 4, b"\xff\xff\xff\xff")
        self.cache = TextureCache(ctx, texture_budget_bytes, anisotropy=anisotropy)
        self._fonts = FontBook(assets)
        self._broken: dict[str, str] = {}  # asset id -> reason; ids are content hashes: permanent
        # Text that failed to rasterise (too large at its scale, a broken font file), by content
        # key: not tried again every frame. Bounded; a missing font asset is not remembered (it
        # may arrive).
        self._text_failures: OrderedDict[Hashable, str] = OrderedDict()
        self.problems: dict[str, str] = {}
        self.max_texture_px = int(ctx.info.get("GL_MAX_TEXTURE_SIZE", 8192))
        self._footprint: Footprint | None = None  # what fbo holds (None: unknown)

    def draw(self, scene: Scene, frame: int = 0, *, full: bool = True) -> list[Rect]:
        """Draw ``scene`` into :attr:`fbo` (background, then visible layers by z order).

        ``frame`` is the absolute house-clock frame the (static) scene shows: clip layers show
        their picture of that frame. With ``full=False`` only what differs from the frame the
        last draw left in :attr:`fbo` is redrawn (:mod:`compositor.gl.damage`), scissored, with
        pixels identical to a full draw. Returns the rectangles redrawn (frame pixels, top row
        0; empty when nothing changed). After a draw that failed, or after
        :meth:`invalidate`, the next draw is full.
        """
        footprint, plan = self._plan(scene, frame)
        previous, self._footprint = self._footprint, None
        rects = damage(None if full else previous, footprint)
        self.ctx.enable(moderngl.BLEND)
        self.ctx.blend_equation = (moderngl.FUNC_ADD, moderngl.FUNC_ADD)
        try:
            # With damage tracking, the unchanged bottom layers come from their cached composite.
            base = 0 if full or not rects else self.base.layers_for(previous, footprint, plan)
            self.fbo.use()
            for rect in rects:
                x0, y0, x1, y1 = rect
                self.fbo.scissor = (x0, y0, x1 - x0, y1 - y0)
                if base:
                    self.base.lay_down(self.fbo)
                else:
                    self.fbo.clear(*footprint.background)
                for item in plan[base:]:
                    if overlaps(item.mark.bounds, rect):
                        self._passes.draw(item, self.fbo)
        finally:
            self.fbo.scissor = None  # type: ignore[assignment]  # moderngl: None resets it
            self.ctx.disable(moderngl.BLEND)
        self._footprint = footprint
        return rects

    def invalidate(self) -> None:
        """Forget what :attr:`fbo` holds (something else drew into it): the next draw is full."""
        self._footprint = None

    def _plan(self, scene: Scene, frame: int) -> tuple[Footprint, list[Placed]]:
        """What this frame draws, in order, with its footprint; texture cache and clip
        bookkeeping of the frame done; problems reported."""
        problems: dict[str, str] = {}
        referenced: set[Hashable] = set()
        to_clip = canvas_to_clip(scene.width, scene.height)
        plan: list[Placed] = []
        for layer in draw_order(scene):
            key = content_key(layer)
            if key is not None:
                referenced.add(key)
            if not layer.visible or layer.opacity <= 0.0:
                continue
            try:
                drawable = self._drawable(layer, scene, frame)
            except AssetError as exc:
                problems[layer.id] = str(exc)
                continue
            if drawable is not None:
                item = self._passes.place(layer, drawable, to_clip, key)
                if item is not None:
                    plan.append(item)
        self.cache.end_frame(referenced)
        if self.video is not None:
            self.video.end_frame({item.mark.layer_id for item in plan
                                  if item.drawable.picture is not None})
        self._report(problems)
        background = self._premultiplied(scene.background)
        return Footprint((self.width, self.height), background,
                         tuple(item.mark for item in plan)), plan

    def natural_size(self, layer: Layer, scene: Scene) -> tuple[float, float] | None:
        """The layer's content size in canvas px before crop (what a null ``width``/``height``
        means), or None when there is nothing to draw or the asset is broken. Builds (and
        caches) the texture the next :meth:`draw` uses anyway, so it is a pure function of the
        content, not of what happened to be drawn before."""
        content = layer.content
        if isinstance(content, ColorContent):
            return float(scene.width), float(scene.height)
        if isinstance(content, VideoContent):
            return self._clip_size(content)
        try:
            if isinstance(content, ImageContent):
                entry = self._image(content.asset)
                return float(entry.width), float(entry.height)
            if not isinstance(content, TextContent) or not content.text.strip():
                return None
            scale = quantize_scale(max(abs(layer.transform.scale_x),
                                       abs(layer.transform.scale_y)))
            entry = self._text_texture(layer, content, scale)
        except AssetError:
            return None
        return entry.width / scale, entry.height / scale

    def release(self) -> None:
        unbind_framebuffer(self.ctx)
        self.cache.release()
        if self.video is not None:
            self.video.release()
        self.base.release()
        self._passes.release()
        for obj in (self._quad, self._white, self.fbo, self.frame):
            obj.release()

    # --- content ---------------------------------------------------------------------------

    def _drawable(self, layer: Layer, scene: Scene, frame: int) -> Drawable | None:
        content = layer.content
        opacity = min(1.0, max(0.0, layer.opacity))
        if isinstance(content, VideoContent):
            return self._clip(layer.id, content, frame, opacity)
        if isinstance(content, ColorContent):
            tint = tuple(c * opacity for c in self._premultiplied(content.color))
            natural = (float(scene.width), float(scene.height))
            return Drawable(self._white, (1.0, 1.0), natural, _four(tint), False)
        if isinstance(content, ImageContent):
            entry = self._image(content.asset)
            source = (float(entry.width), float(entry.height))
            return Drawable(entry.texture, source, source, (opacity,) * 4, True)
        if not isinstance(content, TextContent) or not content.text.strip():
            return None
        scale = quantize_scale(max(abs(layer.transform.scale_x), abs(layer.transform.scale_y)))
        entry = self._text_texture(layer, content, scale)
        source = (float(entry.width), float(entry.height))
        natural = (entry.width / scale, entry.height / scale)
        tint = tuple(c * opacity for c in self._premultiplied(content.color))
        return Drawable(entry.texture, source, natural, _four(tint), False)

    def _clip_size(self, content: VideoContent) -> tuple[float, float] | None:
        if self._clips is None or content.asset is None:
            return None
        return self._clips.size(content)

    def _clip(self, layer_id: str, content: VideoContent, frame: int,
              opacity: float) -> Drawable | None:
        """A clip's or live input's picture at ``frame``; None (nothing drawn) without
        a clip source, or at a frame with no picture (before its start, hidden after its end,
        failed: the media library reports that). Raises :class:`AssetMissingError` for a clip
        the source does not know (not prepared) or that has no picture (sound only)."""
        if self._clips is None or (content.asset is None and content.input is None):
            return None
        if content.input is not None:  # a live input: its natural size is its picture's
            live = self._clips.picture(layer_id, content, frame)
            if live is None:
                return None
            source = (float(live.width), float(live.height))
            return Drawable(self._white, source, source, (opacity,) * 4, False, live)
        size = self._clip_size(content)
        if size is None:
            # The service prepares every clip before it publishes a scene naming it.
            raise AssetMissingError(f"clip asset {content.asset} is not prepared or has no "
                                    "picture")
        picture = self._clips.picture(layer_id, content, frame)
        if picture is None:
            return None
        source = (float(picture.width), float(picture.height))
        return Drawable(self._white, source, size, (opacity,) * 4, False, picture)

    def _image(self, asset_id: str) -> CachedTexture:
        broken = self._broken.get(asset_id)
        if broken is not None:
            raise AssetError(broken)

        def build() -> TextureData:
            data = self._assets(asset_id)
            if data is None:
                raise AssetMissingError(f"image asset {asset_id} is missing")
            try:
                rgba = decode_image(data)
                height, width = rgba.shape[:2]
                if max(width, height) > self.max_texture_px:
                    raise AssetError(f"image {width}x{height} exceeds {self.max_texture_px} px")
            except AssetError as exc:
                self._broken[asset_id] = f"image asset {asset_id}: {exc}"
                raise AssetError(self._broken[asset_id]) from exc
            pixels = premultiply(rgba, linear_light=self.linear_light)
            return TextureData(pixels, srgb=self.linear_light)

        return self.cache.get(("image", asset_id), build)

    def _text_texture(self, layer: Layer, content: TextContent, scale: float) -> CachedTexture:
        key = content_key(layer)
        failed = self._text_failures.get(key)
        if failed is not None:
            raise AssetError(failed)
        try:
            return self.cache.get(key, lambda: self._text(content, scale))
        except AssetMissingError:  # a font asset that may still arrive: try again next frame
            raise
        except AssetError as exc:
            self._text_failures[key] = str(exc)
            while len(self._text_failures) > _TEXT_FAILURES_KEPT:
                self._text_failures.popitem(last=False)
            raise

    def _text(self, content: TextContent, raster_scale: float) -> TextureData:
        size = max(1, round(content.size_px * raster_scale))
        font = self._fonts.font(content.font, size)
        raster: TextRaster | None = rasterize_text(content, font, raster_scale)
        if raster is None:  # whitespace only: checked before, kept for safety
            raster = TextRaster(np.zeros((1, 1), dtype=np.uint8), raster_scale)
        return TextureData(raster.coverage)

    def _premultiplied(self, color: Color) -> tuple[float, float, float, float]:
        r, g, b, a = color.to_floats()
        rgb = np.array([r, g, b])
        if self.linear_light:
            rgb = srgb_decode(rgb)
        return (float(rgb[0] * a), float(rgb[1] * a), float(rgb[2] * a), a)

    # --- drawing ---------------------------------------------------------------------------

    def _report(self, problems: dict[str, str]) -> None:
        for layer_id, reason in problems.items():
            if self.problems.get(layer_id) != reason:
                log.warning("layer %s skipped: %s", layer_id, reason)
        self.problems = problems


def _four(values: tuple[float, ...]) -> tuple[float, float, float, float]:
    return (values[0], values[1], values[2], values[3])
