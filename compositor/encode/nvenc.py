"""NVENC through PyNvVideoCodec (imported lazily: it exists only on NVIDIA hosts).

Opening fails with :class:`EncoderUnavailableError` when the module is missing (ImportError), when
``libnvidia-encode`` is missing (PyNvVideoCodec raises RuntimeError at import) or when the GPU has
no NVENC (creating the encoder raises). ``open_encoder("auto")`` then uses libx264; an explicit
``nvenc`` surfaces that error at start.

Settings mirror the libx264 ones: low-latency tuning, CBR at ``bitrate_bps`` with a one second
VBV buffer, no B-frames, an IDR every ``keyframe_interval_s``, SPS/PPS repeated on every IDR,
BT.709 limited-range VUI. NVENC returns access units in input order (no B-frames), so pts are
matched to packets first-in first-out and dts equals pts.

Host copy or not: this encoder takes *host* NV12 (``usecpuinputbuffer=True``), i.e. the frame the
renderer already read back for the other consumers (preview, reuse, libx264). The zero-copy path
would register the renderer's NV12 textures with CUDA (``cudaGraphicsGLRegisterImage``), map them
each frame and hand the device pointers to ``Encode`` with ``usecpuinputbuffer=False``. We have
not done that because (1) our GL context is EGL on a headless device and CUDA-GL interop needs the
GL context to run on the same NVIDIA GPU as the CUDA context, which is not the case with Mesa and
cannot be verified on any machine we have (the lent H100/H200 have no NVENC at all), and (2) the
read-back NV12 frame is needed on the host anyway for frame reuse and the preview. The upload of a
1080p NV12 frame (3 MB) costs well under a millisecond of PCIe time, far below the 16.7 ms of a
60 fps frame. Interop is the next step on a host where NVENC and the GL renderer share a GPU.
"""

from __future__ import annotations

import collections
import time
from typing import Any

from compositor.encode.base import EncodedPacket, EncoderConfig, NV12Frame
from compositor.errors import EncoderError, EncoderUnavailableError

__all__ = ["NvencEncoder", "annexb_has_idr"]

_IDR = 5


def annexb_has_idr(data: bytes) -> bool:
    """True when an Annex B access unit contains an IDR slice (NAL type 5)."""
    start = 0
    while True:
        index = data.find(b"\x00\x00\x01", start)
        if index < 0 or index + 3 >= len(data):
            return False
        if data[index + 3] & 0x1F == _IDR:
            return True
        start = index + 3


class NvencEncoder:
    """An open NVENC H.264 encoder."""

    name = "nvenc"

    def __init__(self, config: EncoderConfig) -> None:
        self.config = config
        self.last_convert_s = 0.0
        self.last_encode_s = 0.0
        self._pending: collections.deque[int] = collections.deque()
        try:
            import PyNvVideoCodec as nvc  # only NVIDIA hosts have it
        except (ImportError, RuntimeError, OSError) as exc:
            raise EncoderUnavailableError(f"NVENC is not available: {exc}") from exc
        try:
            self._encoder: Any = nvc.CreateEncoder(
                config.width, config.height, "NV12", True, **_options(config)
            )
        except Exception as exc:  # the binding raises plain RuntimeError/ValueError
            raise EncoderUnavailableError(f"NVENC could not open an encoder: {exc}") from exc

    def encode(self, frame: NV12Frame, pts: int) -> list[EncodedPacket]:
        started = time.perf_counter()
        self._pending.append(pts)
        try:
            data = bytes(self._encoder.Encode(frame))
        except Exception as exc:
            raise EncoderError(f"NVENC failed to encode: {exc}") from exc
        self.last_convert_s = 0.0  # the upload happens inside Encode
        self.last_encode_s = time.perf_counter() - started
        return self._packets([data])

    def flush(self) -> list[EncodedPacket]:
        try:
            tail = self._encoder.EndEncode()
        except Exception as exc:
            raise EncoderError(f"NVENC failed to flush: {exc}") from exc
        return self._packets([bytes(tail)] if tail else [])

    def close(self) -> None:
        self._encoder = None

    def _packets(self, chunks: list[bytes]) -> list[EncodedPacket]:
        out = []
        for data in chunks:
            if not data or not self._pending:
                continue
            pts = self._pending.popleft()
            out.append(EncodedPacket(data=data, pts=pts, dts=pts, keyframe=annexb_has_idr(data)))
        return out


def _options(config: EncoderConfig) -> dict[str, str]:
    fps = config.fps
    return {
        "codec": "h264",
        "preset": "P4",
        "tuning_info": "low_latency",
        "rc": "cbr",
        "bitrate": str(config.bitrate_bps),
        "maxbitrate": str(config.bitrate_bps),
        "vbvbufsize": str(config.bitrate_bps),
        "fps": str(round(float(fps))) if fps.denominator == 1 else f"{float(fps):.3f}",
        "frameratenum": str(fps.numerator),
        "frameratedenom": str(fps.denominator),
        "gop": str(config.gop_frames),
        "idrperiod": str(config.gop_frames),
        "bf": "0",
        "repeatspspps": "1",
        "profile": "high",
        "colorprimaries": "1",
        "transfercharacteristics": "1",
        "matrixcoefficients": "1",
        "videofullrangeflag": "0",
        "gpu_id": str(config.gpu_device or 0),
    }
