"""NVDEC (PyNvVideoCodec) detection, imported lazily: the module exists only on NVIDIA hosts.

``decoder="auto"`` asks :func:`choose_decoder`, which answers "pyav" wherever PyNvVideoCodec
does not import (ImportError; RuntimeError or OSError when the NVIDIA libraries behind it are
missing, as on the lent H100/H200 machines where ``libnvidia-encode`` is absent) or has no
decoder class; ``decoder="nvdec"`` on such a host raises :class:`MediaUnsupportedError` with
the reason, at construction, not mid-play.

Where PyNvVideoCodec is present, clips are still decoded by PyAV today: the NVDEC path (the
``SimpleDecoder`` into host NV12, deinterleaved to our yuv420p planes) has not been built
because no machine we have can run it. :func:`nvdec_status` reports that honestly, so "auto"
stays on PyAV and an explicit "nvdec" fails with a clear message instead of pretending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from compositor.errors import MediaUnsupportedError

__all__ = ["DecoderName", "NvdecStatus", "choose_decoder", "nvdec_status"]

DecoderName = Literal["pyav", "nvdec"]
_CHOICES = ("auto", "pyav", "nvdec")


@dataclass(frozen=True, slots=True)
class NvdecStatus:
    """Whether NVDEC decoding can be used here, and why not when it cannot."""

    available: bool
    reason: str


def nvdec_status() -> NvdecStatus:
    """Import PyNvVideoCodec (lazily, once per call) and say whether clips can use it."""
    try:
        import PyNvVideoCodec as nvc  # only NVIDIA hosts have it
    except (ImportError, RuntimeError, OSError) as exc:
        return NvdecStatus(False, f"PyNvVideoCodec does not import: {exc}")
    if not hasattr(nvc, "SimpleDecoder"):
        return NvdecStatus(False, "this PyNvVideoCodec has no SimpleDecoder (version 2 or later)")
    return NvdecStatus(False, "PyNvVideoCodec imports, but the NVDEC clip path is not built yet")


def choose_decoder(requested: str) -> DecoderName:
    """The decoder clips will use for ``requested`` ("auto", "pyav" or "nvdec"). Raises
    MediaUnsupportedError for "nvdec" where it is not available, ValueError for other names."""
    if requested not in _CHOICES:
        raise ValueError(f"decoder must be one of {', '.join(_CHOICES)}, not {requested!r}")
    if requested == "pyav":
        return "pyav"
    status = nvdec_status()
    if status.available:
        return "nvdec"
    if requested == "nvdec":
        raise MediaUnsupportedError(f"NVDEC decoding is not available: {status.reason}")
    return "pyav"
