"""The child side of :class:`compositor.output.isolated.IsolatedSink`: one network container in
its own process, so that a server that stalls it can never stall the compositor.

Run as ``python -m compositor.output.child SPEC_JSON``. It reads framed packets from stdin
(:data:`HEADER` then the payload; end of input closes the container) and reports on stdout, one
JSON object per line: ``{"event": "written", "bytes": N}`` after each packet it muxed, and
``{"event": "error", "message": "..."}`` before it exits on a failure. Exit status 0 means the
container was closed cleanly.
"""

from __future__ import annotations

import json
import struct
import sys
from fractions import Fraction
from typing import BinaryIO

__all__ = ["HEADER", "main", "pack_packet"]

HEADER = struct.Struct("<qqBI")  # pts, dts, keyframe, payload length


def pack_packet(data: bytes, pts: int, dts: int, keyframe: bool) -> bytes:
    return HEADER.pack(pts, dts, int(keyframe), len(data)) + data


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
                pts, dts, keyframe, size = HEADER.unpack(header)
                data = _read_exact(stdin, size)
                if data is None:
                    break
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
