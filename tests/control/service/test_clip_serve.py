"""Clips through a real ``compositor serve``: an over-size upload is stopped early with bounded
memory, a playing clip's sound reaches the peak meters, a clip whose bytes are gone is reported
by ``/readyz`` without stopping anything."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from pathlib import Path

from tests.e2e.serve import ServeProcess, http_json, wait_for
from tests.media_factory import MediaCache

MiB = 1024 * 1024



def _peak_memory_kib(pid: int) -> int:
    """The process's resident set high-water mark (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _upload(url: str, data: bytes, content_type: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url + "/api/v1/assets", data=data, method="POST",
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


_FORM_HEAD = (b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
              b"Content-Type: video/mp4\r\n\r\n")


def _send_chunked(port: int, total: int, sent: list[int], done: threading.Event,
                  form: bool = False) -> None:
    """POST ``total`` bytes of chunked body (no Content-Length) until the server stops us; as
    a multipart form with ``form``."""
    chunk = b"\x00\x00\x00\x18ftypisom" + bytes(MiB - 12)
    content_type = "multipart/form-data; boundary=XyZ" if form else "video/mp4"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(f"POST /api/v1/assets HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                         f"Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n"
                         "\r\n".encode())
            if form:
                sock.sendall(f"{len(_FORM_HEAD):x}\r\n".encode() + _FORM_HEAD + b"\r\n")
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            while sent[0] < total:
                sock.sendall(frame)
                sent[0] += len(chunk)
            sock.sendall(b"0\r\n\r\n")
            sock.settimeout(30)
            sent.append(int(sock.recv(64).split(b" ")[1]))  # the status of the response
    except OSError:
        pass  # the server stopped reading and closed: what we want
    finally:
        done.set()


def test_an_oversize_upload_stops_early_and_memory_stays_bounded(tmp_path: Path) -> None:
    serve = ServeProcess(tmp_path, "--no-render", "--max-clip-bytes", "8M").start()
    try:
        assert serve.proc is not None
        before = _peak_memory_kib(serve.proc.pid)
        for form in (False, True):
            sent: list[int] = [0]
            done = threading.Event()
            threading.Thread(target=_send_chunked, args=(serve.port, 300 * MiB, sent, done,
                                                         form), daemon=True).start()
            assert done.wait(120), "the upload was neither refused nor finished"
            assert sent[0] < 100 * MiB, f"the server read {sent[0]} bytes past an 8 MiB limit"
        grown = _peak_memory_kib(serve.proc.pid) - before
        assert grown < 64 * 1024, f"serve grew by {grown} KiB while refusing the uploads"
        # The service is fine, kept nothing, and says why at once when the length is declared.
        with socket.create_connection(("127.0.0.1", serve.port), timeout=10) as sock:
            sock.sendall(f"POST /api/v1/assets HTTP/1.1\r\nHost: 127.0.0.1:{serve.port}\r\n"
                         f"Content-Type: video/mp4\r\nContent-Length: {9 * MiB}\r\n\r\n"
                         .encode())  # and no body: the answer comes before it
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.split(b" ")[1] == b"413" and b"connection: close" in head.lower()
        assert json.loads(body)["error"]["code"] == "too_large"
        assert http_json("GET", serve.url + "/api/v1/assets")[1] == {"assets": []}
        assets = tmp_path / "data" / "assets"
        assert [p for p in assets.rglob("*") if p.is_file()] == []
    finally:
        serve.close()


def _scene_layer(asset: str, **content: object) -> dict[str, object]:
    return {"op": "add", "layer": {"id": "clip", "kind": "video",
                                   "content": {"asset": asset, "loop": True, **content},
                                   "transform": {"width": 160, "height": 90}}}


def test_a_playing_clip_is_heard_and_a_broken_one_is_reported(tmp_path: Path,
                                                               media: MediaCache) -> None:
    serve = ServeProcess(tmp_path, "--width", "160", "--height", "90", "--fps", "25",
                         "--output", str(tmp_path / "program.ts")).start()
    try:
        clip = media.counter(fps=25, seconds=2.0, amplitude=0.5)
        status, body = _upload(serve.url, clip.read_bytes(), "video/mp4")
        assert status == 201, body
        asset = str(body["id"])
        status, _ = http_json("POST", serve.url + "/api/v1/commits",
                              {"ops": [_scene_layer(asset)]})
        assert status == 200

        def loud() -> bool:
            peaks = http_json("GET", serve.url + "/api/v1/output")[1]["audio"]["peak_dbfs"]
            return len(peaks) == 2 and all(-9.0 < p < -3.0 for p in peaks)  # 0.5: -6 dBFS

        wait_for(loud, 60, "the clip's tone on the peak meters")
        assert http_json("GET", serve.url + "/readyz")[1]["problems"] == {}
        # The bytes of a second clip vanish from disk: it is reported, the output goes on.
        other = media.counter(fps=25, seconds=1.0, audio=False)
        status, body = _upload(serve.url, other.read_bytes(), "video/mp4")
        broken = str(body["id"])
        (tmp_path / "data" / "assets" / broken).unlink()
        status, _ = http_json("POST", serve.url + "/api/v1/commits", {"ops": [
            {"op": "update", "id": "clip", "patch": {"content": {"asset": broken}}}]})
        assert status == 200
        problems = wait_for(lambda: http_json("GET", serve.url + "/readyz")[1]["problems"],
                            30, "the broken clip reported")
        assert f"clip {broken}" in problems, problems
        frames = http_json("GET", serve.url + "/api/v1/output")[1]["frames"]
        wait_for(lambda: http_json("GET", serve.url + "/api/v1/output")[1]["frames"]
                 > frames + 10, 30, "the output to go on")
    finally:
        serve.close()


def test_a_clip_no_scene_names_is_released_and_its_pcm_cache_removed(
        tmp_path: Path, media: MediaCache) -> None:
    cache = tmp_path / "data" / "media-cache" / "main"
    cache.mkdir(parents=True)
    stale = cache / ("0" * 64 + ".f32")  # left by an earlier process
    stale.write_bytes(bytes(4096))
    serve = ServeProcess(tmp_path, "--width", "160", "--height", "90", "--fps", "25",
                         "--clip-release-after", "1").start()
    try:
        status, body = _upload(serve.url, media.audio(seconds=1.0).read_bytes(), "audio/wav")
        assert status == 201, body
        pcm = cache / f"{body['id']}.f32"
        layer = {"op": "add", "layer": {"id": "bed", "kind": "audio",
                                        "content": {"asset": body["id"], "loop": True}}}
        assert http_json("POST", serve.url + "/api/v1/commits", {"ops": [layer]})[0] == 200
        wait_for(pcm.exists, 30, "the clip's sound rendered to the PCM cache")
        wait_for(lambda: not stale.exists(), 30, "the stale PCM file removed")
        time.sleep(2.5)  # more than the release age: the scene still names it
        assert pcm.exists()
        assert http_json("POST", serve.url + "/api/v1/commits",
                         {"ops": [{"op": "remove", "id": "bed"}]})[0] == 200
        wait_for(lambda: not pcm.exists(), 30, "the released clip's PCM file removed")
        metrics = urllib.request.urlopen(serve.url + "/metrics", timeout=10).read().decode()
        assert "compositor_clips_released_total 1.0" in metrics
        assert "compositor_clips_prepared 0.0" in metrics
        # Named again: prepared again.
        assert http_json("POST", serve.url + "/api/v1/commits", {"ops": [layer]})[0] == 200
        wait_for(pcm.exists, 30, "the clip prepared again")
        assert http_json("GET", serve.url + "/readyz")[1]["problems"] == {}
    finally:
        serve.close()
