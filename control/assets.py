"""Upload validation: an asset is accepted only if it decodes.

Clips (video and sound) are validated from a file by :mod:`control.clips`; this module says
which uploads are clips (:func:`asset_kind_for` returns ``"clip"``) and how large each kind may
be (:meth:`AssetPolicy.limit_for`).

Images (PNG, JPEG, WebP, GIF: the first frame is what is drawn) are opened with Pillow, checked
against a pixel limit *before* any pixel is decoded (decompression bombs), verified and fully
loaded. Fonts (TrueType/OpenType) must load with ``PIL.ImageFont.truetype``. Anything else is 415;
over the byte limit is 413; an undecodable file or a bomb is 422
(:class:`~control.errors.AssetRejectedError`: its subclass says which).

Ids are content addresses: the hex sha256 of the bytes, so the same file always has the same id.
The declared content type only chooses image or font validation; the stored ``content_type`` is
the one the bytes turned out to be.
"""

from __future__ import annotations

import hashlib
import io
import time
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFont, UnidentifiedImageError

from compositor.scene import BUILTIN_FONT_NAMES
from control.clips import CLIP_TYPES, sniff_clip
from control.errors import (
    AssetRejectedError,
    AssetTooLargeError,
    AssetTypeError,
    AssetUndecodableError,
)
from control.store.base import AssetInfo

__all__ = [
    "BUILTIN_FONTS",
    "AssetPolicy",
    "asset_kind_for",
    "declared_kind",
    "declared_type",
    "validate_asset",
]

BUILTIN_FONTS = frozenset(BUILTIN_FONT_NAMES)
"""Font names every text layer may use without uploading anything."""

_IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}
_DECLARED_IMAGE = frozenset({"image/png", "image/jpeg", "image/jpg", "image/webp", "image/gif"})
_DECLARED_FONT = frozenset({
    "font/ttf", "font/otf", "font/sfnt", "application/font-sfnt", "application/x-font-ttf",
    "application/x-font-truetype", "application/x-font-otf", "application/x-font-opentype",
    "application/vnd.ms-opentype",
})
_SNIFFED = frozenset({"application/octet-stream", ""})
_FONT_MAGIC = {b"\x00\x01\x00\x00": "font/ttf", b"true": "font/ttf", b"OTTO": "font/otf"}


@dataclass(frozen=True, slots=True)
class AssetPolicy:
    """Upload limits: ``max_bytes`` for images and fonts and ``max_clip_bytes`` for clips (413
    above), ``max_pixels`` (an image's width×height, 422 above), ``max_clip_seconds`` (a clip's
    duration, 422 above); and quotas of the store: ``max_count`` assets, ``max_total_bytes`` in
    all (409 above), clips included."""

    max_bytes: int = 32 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_count: int = 10_000
    max_total_bytes: int = 4 * 1024 * 1024 * 1024
    max_clip_bytes: int = 2 * 1024 * 1024 * 1024
    max_clip_seconds: float = 4 * 3600.0

    def limit_for(self, kind: str) -> int:
        """The most bytes an upload of ``kind`` (``image``, ``font`` or ``clip``) may have."""
        return self.max_clip_bytes if kind == "clip" else self.max_bytes

    @property
    def max_upload_bytes(self) -> int:
        """The most bytes any upload may have (before its kind is known)."""
        return max(self.max_bytes, self.max_clip_bytes)


def declared_type(content_type: str | None) -> str:
    """The media type of a ``Content-Type`` header, lower case, without parameters."""
    return (content_type or "").split(";")[0].strip().lower()


def declared_kind(content_type: str | None) -> str | None:
    """``image``, ``font`` or ``clip`` from the declared type alone; None when the bytes must
    say (octet-stream or no type); 415 for any other type."""
    declared = declared_type(content_type)
    if declared in _DECLARED_IMAGE:
        return "image"
    if declared in _DECLARED_FONT:
        return "font"
    if declared in CLIP_TYPES:
        return "clip"
    if declared in _SNIFFED:
        return None
    raise _unsupported(declared)


def _unsupported(declared: str) -> AssetTypeError:
    return AssetTypeError(
        f"unsupported content type {declared or '(none)'!r}: send PNG, JPEG, WebP, GIF, "
        "TTF, OTF, or a clip (MP4, MOV, MKV, WebM, MPEG-TS, MP3, WAV, AAC, Ogg, FLAC) with "
        "its Content-Type")


def asset_kind_for(content_type: str | None, data: bytes) -> str:
    """``image``, ``font`` or ``clip`` from the declared type, sniffing the first bytes (64 are
    enough) for octet-stream; 415 for anything else."""
    kind = declared_kind(content_type)
    if kind is not None:
        return kind
    if data[:4] in _FONT_MAGIC:
        return "font"
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or \
            data[:6] in (b"GIF87a", b"GIF89a") or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if sniff_clip(data) is not None:
        return "clip"
    raise _unsupported(declared_type(content_type))


def _validate_image(data: bytes, policy: AssetPolicy) -> tuple[str, int, int]:
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past 2x its own limit, raises) on huge images; ours is lower,
            # but make sure its warning can never escape as a crash.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt, (width, height) = probe.format or "", probe.size
                if width * height > policy.max_pixels:
                    raise AssetUndecodableError(
                        f"image is {width}x{height} = {width * height} pixels, more than "
                        f"the limit of {policy.max_pixels}")
                if fmt not in _IMAGE_TYPES:
                    raise AssetTypeError(f"image format {fmt or '?'} is not supported: "
                                             "send PNG, JPEG, WebP or GIF")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # the first frame of a GIF/WebP animation
    except AssetRejectedError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise AssetUndecodableError(f"image is too large to decode safely: {exc}") from exc
    except UnidentifiedImageError as exc:  # its text names a Python object, not the problem
        raise AssetUndecodableError("the file is not an image in a format this service reads "
                                    "(PNG, JPEG, WebP or GIF)") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise AssetUndecodableError(f"the image does not decode: {exc}") from exc
    return _IMAGE_TYPES[fmt], width, height


def _validate_font(data: bytes) -> str:
    content_type = _FONT_MAGIC.get(data[:4])
    if content_type is None:
        raise AssetTypeError("only TrueType (TTF) and OpenType (OTF) fonts are supported")
    try:
        ImageFont.truetype(io.BytesIO(data), size=16)
    except (OSError, ValueError) as exc:
        raise AssetUndecodableError(f"the font does not load: {exc}") from exc
    return content_type


def validate_asset(
    data: bytes, content_type: str | None, name: str | None = None, *,
    policy: AssetPolicy = AssetPolicy(),
) -> AssetInfo:
    """Validate an upload and describe it; raises :class:`AssetRejectedError` (413/415/422)."""
    if len(data) > policy.max_bytes:
        raise AssetTooLargeError(f"asset is {len(data)} bytes, more than the limit of "
                                 f"{policy.max_bytes}")
    if not data:
        raise AssetUndecodableError("the body is empty")
    kind = asset_kind_for(content_type, data)
    if kind == "clip":
        raise AssetTypeError("clips are validated from a file (control.clips.clip_info)")
    digest = hashlib.sha256(data).hexdigest()
    if kind == "image":
        real_type, width, height = _validate_image(data, policy)
        return AssetInfo(id=digest, kind="image", content_type=real_type, width=width,
                         height=height, bytes=len(data), sha256=digest, name=name,
                         created_unix=time.time())
    real_type = _validate_font(data)
    return AssetInfo(id=digest, kind="font", content_type=real_type, width=None, height=None,
                     bytes=len(data), sha256=digest, name=name, created_unix=time.time())
