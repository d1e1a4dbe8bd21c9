"""Encoders: :func:`open_encoder` picks libx264 or NVENC behind one interface.

``auto`` uses NVENC when an encoder really opens there and libx264 otherwise, logging which and
why; ``nvenc`` never falls back (a clear :class:`EncoderUnavailableError` instead).
"""

from __future__ import annotations

import logging

from compositor.encode.base import EncodedPacket, Encoder, EncoderConfig, EncoderKind, NV12Frame
from compositor.encode.nvenc import NvencEncoder
from compositor.encode.x264 import X264Encoder
from compositor.errors import EncoderUnavailableError

__all__ = [
    "EncodedPacket",
    "Encoder",
    "EncoderConfig",
    "EncoderKind",
    "NV12Frame",
    "NvencEncoder",
    "X264Encoder",
    "open_encoder",
]

log = logging.getLogger(__name__)


def open_encoder(kind: str, config: EncoderConfig) -> Encoder:
    """Open the encoder ``kind`` ("auto", "x264" or "nvenc") for ``config``.

    Raises :class:`EncoderUnavailableError` for an explicit ``nvenc`` that cannot open and
    :class:`~compositor.errors.EncoderError` when libx264 cannot open.
    """
    if kind == "x264":
        return X264Encoder(config)
    if kind == "nvenc":
        return NvencEncoder(config)
    if kind != "auto":
        raise EncoderUnavailableError(f"unknown encoder {kind!r}: use auto, x264 or nvenc")
    try:
        encoder: Encoder = NvencEncoder(config)
    except EncoderUnavailableError as exc:
        log.info("encoder auto: %s; using libx264", exc)
        return X264Encoder(config)
    log.info("encoder auto: using NVENC")
    return encoder
