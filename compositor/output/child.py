"""The child side of :class:`compositor.output.isolated.IsolatedSink`: one network container in
its own process, so that a server that stalls it can never stall the compositor.

Run as ``python -m compositor.output.child SPEC_JSON``. It reads framed records from stdin
(:data:`HEADER` then the payload; end of input closes the container) and reports on stdout, one
JSON object per line: ``{"event": "written", "bytes": N}`` after each video packet it muxed, and
``{"event": "error", "message": "..."}`` before it exits on a failure. Exit status 0 means the
container was closed cleanly.

A record is a video packet (kind :data:`VIDEO`: pts, dts, keyframe, the H.264 access unit) or
one frame's program audio (kind :data:`AUDIO`: its first container sample in the pts field, the
PCM as interleaved little-endian float32 stereo); audio is not confirmed.
"""

from __future__ import annotations

import json
import struct
import sys
from fractions import Fraction
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

__all__ = ["AUDIO", "HEADER", "VIDEO", "main", "pack_audio", "pack_packet"]

HEADER = struct.Struct("<BqqBI")  # kind, pts (audio: first sample), dts, keyframe, payload length
VIDEO, AUDIO = 0, 1


def pack_packet(data: bytes, pts: int, dts: int, keyframe: bool) -> bytes:
    return HEADER.pack(VIDEO, pts, dts, int(keyframe), len(data)) + data


def pack_audio(start: int, pcm: npt.NDArray[np.float32]) -> bytes:
    data = np.ascontiguousarray(pcm, dtype="<f4").tobytes()
    return HEADER.pack(AUDIO, start, 0, 0, len(data)) + data


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _report(event: str, **fields: object) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    # Imported here: the parent imports this module only for HEADER and pack_packet.
    from compositor.encode.base import EncodedPacket
    from compositor.errors import OutputError
    from compositor.output.audio import AudioChunk
    from compositor.output.base import VideoParams
    from compositor.output.container import ContainerSink

    spec = json.loads(argv[0])
    video = VideoParams(spec["width"], spec["height"], Fraction(spec["fps"]))
    stdin = sys.stdin.buffer
    try:
        sink = ContainerSink(spec["target"], spec["format"], video, audio=spec["audio"],
                             name=spec["name"], options=spec["options"],
                             timeout_s=spec["timeout_s"])
        try:
            while (header := _read_exact(stdin, HEADER.size)) is not None:
                kind, pts, dts, keyframe, size = HEADER.unpack(header)
                data = _read_exact(stdin, size)
                if data is None:
                    break
                if kind == AUDIO:
                    pcm = np.frombuffer(data, dtype="<f4").reshape(-1, 2)
                    sink.write_audio(AudioChunk(pts, pcm.astype(np.float32)))
                    continue
                written = sink.write(EncodedPacket(data, pts, dts, bool(keyframe)))
                _report("written", bytes=written)
        finally:
            sink.close()
    except OutputError as exc:
        _report("error", message=str(exc))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
