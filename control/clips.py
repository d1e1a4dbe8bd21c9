"""Clip uploads (video and sound): which types are taken, and the probe that decides.

The declared ``Content-Type`` (CONTRACT v1.1: ``video/mp4``, ``video/quicktime``,
``video/x-matroska``, ``video/webm``, ``video/mp2t``, ``audio/mpeg``, ``audio/wav``,
``audio/aac``, ``audio/ogg``, ``audio/flac``, and a few common aliases) or, for
``application/octet-stream``, the file's first bytes (:func:`sniff_clip`) say that an upload is a
clip. Whether it is kept is decided by :func:`clip_info`, which runs
:func:`compositor.media.probe_media` on the received file (blocking: call it in a thread): the
container is opened (only clip containers: FFmpeg would open a text file as ANSI art) and the
first video and audio frames are decoded. The media errors are translated here, once: an
unsupported container or codec is :class:`AssetTypeError` (415), a file that does not decode,
has no duration, more than 4096×2160 pixels or more than the duration limit is
:class:`AssetUndecodableError` (422). ``kind`` is what the probe found: ``video`` when there is a
picture, ``audio`` for sound only, whatever the declared type said.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from compositor.errors import MediaError, MediaInvalidError, MediaUnsupportedError
from control.errors import AssetTypeError, AssetUndecodableError
from control.store.base import AssetInfo

if TYPE_CHECKING:  # PyAV is imported only by a process that probes (see clip_info)
    from compositor.media import MediaInfo

__all__ = ["CLIP_TYPES", "clip_info", "sniff_clip"]

CLIP_TYPES = frozenset({
    "video/mp4", "video/quicktime", "video/x-matroska", "video/webm", "video/mp2t",
    "audio/mpeg", "audio/wav", "audio/aac", "audio/ogg", "audio/flac",
    # aliases that browsers and tools send for the same files
    "video/x-m4v", "video/mpeg", "audio/mp4", "audio/x-m4a", "audio/mp3", "audio/x-wav",
    "audio/wave", "audio/vnd.wave", "audio/x-flac", "audio/webm", "audio/x-matroska",
    "video/ogg",
})
"""Declared types taken as clips (anything else that is not an image or font is 415)."""


def sniff_clip(head: bytes) -> str | None:
    """The content type of a clip's first bytes (at least 12 for most), or None."""
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    if head[:4] == b"\x1aE\xdf\xa3":
        return "video/webm" if b"webm" in head else "video/x-matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:3] == b"ID3":
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # MPEG audio frame sync; layer bits 00 is ADTS (AAC), anything else MP1/2/3
        return "audio/aac" if head[1] & 0x06 == 0 else "audio/mpeg"
    if head[:1] == b"\x47" and (len(head) < 189 or head[188:189] == b"\x47"):
        return "video/mp2t"
    return None


def _stored_type(media: MediaInfo, head: bytes, declared: str) -> str:
    """The content type the bytes turned out to be (sniffed first, then the declared one)."""
    sniffed = sniff_clip(head) or declared
    if media.kind == "audio" and sniffed in ("video/mp4", "video/quicktime"):
        return "audio/mp4"
    if media.kind == "audio" and sniffed in ("video/webm", "video/x-matroska"):
        return sniffed.replace("video/", "audio/")
    return sniffed


def clip_info(path: Path, *, sha256: str, size: int, head: bytes, declared: str,
              name: str | None, max_seconds: float) -> AssetInfo:
    """Probe the received file and describe it as an asset; raises 415/422 (see above).

    BLOCKING (opens and test-decodes the file): run it in a worker thread."""
    from compositor.media import MediaLimits, probe_media  # PyAV: only where clips are probed

    limits = MediaLimits(max_duration_s=max_seconds)
    try:
        media = probe_media(path, limits)
    except MediaUnsupportedError as exc:
        raise AssetTypeError(_about_upload(exc, path)) from exc
    except (MediaInvalidError, MediaError) as exc:  # any other media failure: it is broken
        raise AssetUndecodableError(_about_upload(exc, path)) from exc
    return AssetInfo(
        id=sha256, kind=media.kind, content_type=_stored_type(media, head, declared),
        width=media.width, height=media.height, bytes=size, sha256=sha256, name=name,
        created_unix=time.time(), duration_s=round(media.duration_s, 6),
        fps=None if media.fps is None else round(float(media.fps), 6),
        has_audio=media.has_audio, video_codec=media.video_codec,
        audio_codec=media.audio_codec)


def _about_upload(exc: Exception, path: Path) -> str:
    """The probe's message without the temporary file's name it starts with: the client
    knows its file by its own name ("not a video or sound file we can read ...")."""
    return str(exc).removeprefix(f"{path.name}: ")
