"""Clip uploads over the API: real media made by the ffmpeg CLI, real probing by PyAV.

Every refused upload must leave nothing behind: no asset listed, no file in the store's assets
or upload folders.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from control.assets import AssetPolicy
from control.service.settings import Settings
from tests.control.api.conftest import ClientFactory
from tests.control.api.helpers import TestClient, png_bytes
from tests.media_factory import (
    MediaCache,
    color_of_index,
    header_only_copy,
    text_file,
    truncated_copy,
    unsupported_codec_clip,
    zero_duration_clip,
)


@pytest.fixture
def disk_client(make_client: ClientFactory, tmp_path: Path) -> TestClient:
    """An app over an embedded store with a data directory (clips are files there)."""
    from control.store.embedded import EmbeddedStore

    return make_client(store=EmbeddedStore(tmp_path / "data"),
                       settings=Settings(data_dir=tmp_path / "data"))


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_video_upload_raw_multipart_and_sniffed(disk_client: TestClient, media: MediaCache,
                                                tmp_path: Path) -> None:
    clip = media.counter(fps=25, seconds=1.0)
    data = clip.read_bytes()
    raw = disk_client.post("/api/v1/assets", content=data,
                           headers={"Content-Type": "video/mp4", "X-Filename": "c.mp4"})
    assert raw.status_code == 201, raw.text
    body = raw.json()
    assert body["id"] == body["sha256"] == hashlib.sha256(data).hexdigest()
    assert (body["kind"], body["width"], body["height"], body["fps"], body["duration_s"],
            body["has_audio"], body["video_codec"], body["audio_codec"], body["bytes"],
            body["content_type"], body["name"]) == (
        "video", 64, 36, 25.0, 1.0, True, "h264", "aac", len(data), "video/mp4", "c.mp4")
    assert (tmp_path / "data" / "assets" / body["id"]).read_bytes() == data
    schema = disk_client.get("/openapi.json").json()["components"]["schemas"]["Asset"]
    assert set(body) == set(schema["properties"])
    form = disk_client.post("/api/v1/assets", files={"file": ("c.mp4", data, "video/mp4")})
    assert form.status_code == 200 and form.json()["id"] == body["id"]
    other = media.counter(fps=30, seconds=1.0, audio=False)
    sniffed = disk_client.post("/api/v1/assets", content=other.read_bytes(),
                               headers={"Content-Type": "application/octet-stream"})
    assert sniffed.status_code == 201, sniffed.text
    assert (sniffed.json()["has_audio"], sniffed.json()["audio_codec"]) == (False, None)
    served = disk_client.get(f"/api/v1/assets/{body['id']}/data")
    assert served.content == data and served.headers["content-type"] == "video/mp4"
    assert _files(tmp_path / "data" / "assets" / ".incoming") == []


@pytest.mark.parametrize(("suffix", "declared", "codec"), [
    (".wav", "audio/wav", "pcm_s16le"), (".mp3", "audio/mpeg", "mp3"),
    (".flac", "application/octet-stream", "flac")])
def test_sound_uploads_are_audio_assets(client: TestClient, media: MediaCache, suffix: str,
                                        declared: str, codec: str) -> None:
    data = media.audio(suffix, seconds=1.0).read_bytes()
    response = client.post("/api/v1/assets", files={"file": (f"s{suffix}", data, declared)})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["kind"], body["width"], body["fps"], body["has_audio"], body["audio_codec"],
            body["video_codec"]) == ("audio", None, None, True, codec, None)
    assert 0.9 < body["duration_s"] < 1.1


def _bad_uploads(media: MediaCache) -> Iterator[tuple[str, Path, str, int]]:
    good = media.counter(fps=25, seconds=1.0)
    yield "truncated", truncated_copy(good, media.path("trunc.mp4")), "video/mp4", 422
    yield "cut after index", header_only_copy(good, media.path("head.mp4")), "video/mp4", 422
    yield "text", text_file(media.path("text.txt")), "video/mp4", 415
    yield "unsupported codec", unsupported_codec_clip(media.path("a64.mov")), \
        "video/quicktime", 415
    yield "zero duration", zero_duration_clip(media.path("zero.mp4")), "video/mp4", 422
    yield "too many pixels", media.counter(fps=5, seconds=0.4, size=(4112, 16), audio=False), \
        "video/mp4", 422


def test_bad_clips_are_refused_and_nothing_is_kept(disk_client: TestClient, media: MediaCache,
                                                   tmp_path: Path) -> None:
    for what, path, declared, status in _bad_uploads(media):
        for kwargs in ({"content": path.read_bytes(), "headers": {"Content-Type": declared}},
                       {"files": {"file": (path.name, path.read_bytes(), declared)}}):
            response = disk_client.post("/api/v1/assets", **kwargs)
            assert response.status_code == status, (what, response.text)
            message = response.json()["error"]["message"]
            assert message, what
            # The message is about the client's file, not the server's temporary copy of it.
            assert "upload-" not in message and not message.startswith(".") , (what, message)
    assert disk_client.get("/api/v1/assets").json()["assets"] == []
    assert _files(tmp_path / "data" / "assets") == []


def test_limits_413_and_duration_422(make_client: ClientFactory, media: MediaCache) -> None:
    clip = media.counter(fps=25, seconds=2.0).read_bytes()
    client = make_client(asset_policy=AssetPolicy(max_clip_bytes=len(clip) - 1))
    for headers in ({"Content-Type": "video/mp4"}, {"Content-Type": "application/octet-stream"}):
        too_big = client.post("/api/v1/assets", content=clip, headers=headers)
        assert too_big.status_code == 413, too_big.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        for start in range(0, len(clip), 4096):
            yield clip[start:start + 4096]

    assert client.post("/api/v1/assets", content=chunks(),
                       headers={"Content-Type": "video/mp4"}).status_code == 413
    assert client.post("/api/v1/assets", files={"file": ("c.mp4", clip, "video/mp4")}
                       ).status_code == 413
    # The image limit does not apply to clips, nor the clip limit to images.
    short = make_client(asset_policy=AssetPolicy(max_bytes=100, max_clip_seconds=1.5))
    long_clip = short.post("/api/v1/assets", content=clip, headers={"Content-Type": "video/mp4"})
    assert long_clip.status_code == 422 and "long" in long_clip.json()["error"]["message"]
    assert short.post("/api/v1/assets", content=png_bytes(40, 40),
                      headers={"Content-Type": "image/png"}).status_code == 413
    assert short.get("/api/v1/assets").json()["assets"] == []


def test_thumbnails(disk_client: TestClient, media: MediaCache) -> None:
    video = disk_client.post("/api/v1/assets", content=media.counter(fps=25, seconds=1.0,
                                                                    size=(128, 72)).read_bytes(),
                             headers={"Content-Type": "video/mp4"}).json()["id"]
    thumb = disk_client.get(f"/api/v1/assets/{video}/thumbnail.jpg?width=64")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert image.width == 64
        pixel = image.convert("RGB").getpixel((32, image.height // 2))
    assert isinstance(pixel, tuple)
    assert all(abs(a - b) <= 12 for a, b in zip(pixel, color_of_index(0))), pixel
    image_id = disk_client.post("/api/v1/assets", content=png_bytes(400, 200, (0, 0, 255, 255)),
                                headers={"Content-Type": "image/png"}).json()["id"]
    scaled = disk_client.get(f"/api/v1/assets/{image_id}/thumbnail.jpg?width=100")
    with Image.open(io.BytesIO(scaled.content)) as image:
        assert image.size == (100, 50)
    sound = disk_client.post("/api/v1/assets", content=media.audio(".wav").read_bytes(),
                             headers={"Content-Type": "audio/wav"}).json()["id"]
    assert disk_client.get(f"/api/v1/assets/{sound}/thumbnail.jpg").status_code == 404
    bad = disk_client.get(f"/api/v1/assets/{video}/thumbnail.jpg?width=5")
    assert bad.status_code == 422 and bad.json()["error"]["path"] == "width"


def test_layers_must_name_assets_of_their_kind(disk_client: TestClient,
                                               media: MediaCache) -> None:
    image = disk_client.post("/api/v1/assets", content=png_bytes(),
                             headers={"Content-Type": "image/png"}).json()["id"]
    video = disk_client.post("/api/v1/assets", content=media.counter(fps=25, seconds=1.0)
                             .read_bytes(), headers={"Content-Type": "video/mp4"}).json()["id"]
    sound = disk_client.post("/api/v1/assets", content=media.audio(".wav").read_bytes(),
                             headers={"Content-Type": "audio/wav"}).json()["id"]
    wrong = disk_client.post("/api/v1/layers", json={"kind": "video", "content": {"asset": image}})
    assert wrong.status_code == 422 and wrong.json()["error"]["path"] == "content.asset"
    assert "image" in wrong.json()["error"]["message"]
    for kind, asset in (("video", sound), ("image", video), ("audio", image)):
        response = disk_client.post("/api/v1/layers", json={"kind": kind,
                                                            "content": {"asset": asset}})
        assert response.status_code == 422, (kind, response.text)
        if kind == "image":  # the article agrees with the word: "an image layer needs an image"
            assert "an image layer needs an image asset" in response.json()["error"]["message"]
        if kind == "audio":
            assert "an audio layer needs an audio asset or video asset" in \
                response.json()["error"]["message"]
    for layer_id, kind, asset in (("v", "video", video), ("a", "audio", sound),
                                  ("va", "audio", video)):
        created = disk_client.post("/api/v1/layers", json={"id": layer_id, "kind": kind,
                                                           "content": {"asset": asset}})
        assert created.status_code == 201, created.text
    # An update naming another asset is checked against the layer's kind.
    patched = disk_client.patch("/api/v1/layers/v", json={"content": {"asset": sound}})
    assert patched.status_code == 422 and patched.json()["error"]["path"] == "content.asset"
    commit = disk_client.post("/api/v1/commits", json={"ops": [
        {"op": "update", "id": "a", "patch": {"content": {"asset": image}}}]})
    assert commit.status_code == 422
    assert commit.json()["error"]["path"] == "ops[0].patch.content.asset"
    # A clip in use cannot be deleted.
    in_use = disk_client.delete(f"/api/v1/assets/{video}")
    assert in_use.status_code == 409 and set(in_use.json()["layers"]) == {"v", "va"}


def test_quotas_count_clips_like_images(make_client: ClientFactory, media: MediaCache,
                                        tmp_path: Path) -> None:
    from control.store.embedded import EmbeddedStore

    clip = media.counter(fps=25, seconds=1.0).read_bytes()
    client = make_client(store=EmbeddedStore(tmp_path / "data"),
                         asset_policy=AssetPolicy(max_total_bytes=len(clip)))
    assert client.post("/api/v1/assets", content=png_bytes(),
                       headers={"Content-Type": "image/png"}).status_code == 201
    refused = client.post("/api/v1/assets", content=clip, headers={"Content-Type": "video/mp4"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "quota_exceeded"
    assert [a["kind"] for a in client.get("/api/v1/assets").json()["assets"]] == ["image"]
    assert _files(tmp_path / "data" / "assets" / ".incoming") == []
