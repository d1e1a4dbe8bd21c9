"""Asset uploads: raw and multipart, validation by decoding, limits, dedup, delete in use."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from control.assets import AssetPolicy
from tests.control.api.helpers import TestClient, png_bytes

FONT = Path(__file__).resolve().parents[3] / "compositor" / "fonts"


def _font_bytes() -> bytes:
    fonts = sorted(FONT.glob("*.ttf")) or sorted(Path("/usr/share/fonts/truetype/dejavu")
                                                 .glob("DejaVuSans.ttf"))
    assert fonts, "no TTF to test with"
    return fonts[0].read_bytes()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` (a decompression-bomb header)."""
    data = bytearray(png_bytes(1, 1))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def test_raw_png_upload_is_201_then_200_with_same_id(client: TestClient) -> None:
    data = png_bytes(8, 4)
    first = client.post("/api/v1/assets", content=data, headers={"Content-Type": "image/png"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["id"] == body["sha256"] == hashlib.sha256(data).hexdigest()
    assert (body["kind"], body["width"], body["height"], body["bytes"]) == ("image", 8, 4,
                                                                           len(data))
    again = client.post("/api/v1/assets", content=data, headers={"Content-Type": "image/png"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert client.get(f"/api/v1/assets/{body['id']}").json()["bytes"] == len(data)
    raw = client.get(f"/api/v1/assets/{body['id']}/data")
    assert raw.content == data and raw.headers["content-type"] == "image/png"
    listed = client.get("/api/v1/assets").json()["assets"]
    assert [a["id"] for a in listed] == [body["id"]]


def test_multipart_jpeg_webp_gif_and_font(client: TestClient) -> None:
    for fmt, mime in (("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")):
        buf = io.BytesIO()
        Image.new("RGB", (6, 6), (1, 2, 3)).save(buf, fmt)
        response = client.post("/api/v1/assets",
                               files={"file": (f"x.{fmt.lower()}", buf.getvalue(), mime)})
        assert response.status_code == 201, (fmt, response.text)
        assert response.json()["content_type"] == mime
        assert response.json()["name"] == f"x.{fmt.lower()}"
    font = client.post("/api/v1/assets", files={"file": ("f.ttf", _font_bytes(),
                                                         "application/octet-stream")})
    assert font.status_code == 201, font.text
    assert (font.json()["kind"], font.json()["width"]) == ("font", None)


def test_rejections_415_422_413(make_client) -> None:
    client = make_client(asset_policy=AssetPolicy(max_bytes=4096, max_pixels=1_000_000))
    text = client.post("/api/v1/assets", content=b"hello", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and text.json()["error"]["code"] == "unsupported_media_type"
    broken = client.post("/api/v1/assets", content=png_bytes()[:30],
                         headers={"Content-Type": "image/png"})
    assert broken.status_code == 422
    bomb = client.post("/api/v1/assets", content=_png_claiming(20_000, 20_000),
                       headers={"Content-Type": "image/png"})
    assert bomb.status_code == 422 and "pixels" in bomb.json()["error"]["message"]
    big = client.post("/api/v1/assets", content=b"\x89PNG" + bytes(5000),
                      headers={"Content-Type": "image/png"})
    assert big.status_code == 413
    big_form = client.post("/api/v1/assets", files={"file": ("a.png", bytes(9000), "image/png")})
    assert big_form.status_code == 413
    fake_font = client.post("/api/v1/assets", content=b"OTTO" + bytes(100),
                            headers={"Content-Type": "font/otf"})
    assert fake_font.status_code == 422
    empty_form = client.post("/api/v1/assets", data={"x": "1"},
                             files={"other": ("a", b"", "text/plain")})
    assert empty_form.status_code in (415, 422)
    assert client.get("/api/v1/assets").json()["assets"] == []


def test_streamed_body_over_the_limit_is_413(make_client) -> None:
    client = make_client(asset_policy=AssetPolicy(max_bytes=1000))

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield bytes(100)

    response = client.post("/api/v1/assets", content=chunks(),
                           headers={"Content-Type": "image/png"})
    assert response.status_code == 413


def test_delete_refused_while_used_then_allowed(client: TestClient) -> None:
    asset = client.post("/api/v1/assets", content=png_bytes(),
                        headers={"Content-Type": "image/png"}).json()
    layer = client.post("/api/v1/layers", json={"id": "logo", "kind": "image",
                                                "content": {"asset": asset["id"]}})
    assert layer.status_code == 201, layer.text
    refused = client.delete(f"/api/v1/assets/{asset['id']}")
    assert refused.status_code == 409 and refused.json()["layers"] == ["logo"]
    client.delete("/api/v1/layers/logo")
    assert client.delete(f"/api/v1/assets/{asset['id']}").status_code == 204
    assert client.get(f"/api/v1/assets/{asset['id']}").status_code == 404
    assert client.delete(f"/api/v1/assets/{asset['id']}").status_code == 404


def test_font_asset_usable_by_text_and_kind_checked(client: TestClient) -> None:
    font = client.post("/api/v1/assets", content=_font_bytes(),
                       headers={"Content-Type": "font/ttf"}).json()
    image = client.post("/api/v1/assets", content=png_bytes(),
                        headers={"Content-Type": "image/png"}).json()
    ok = client.post("/api/v1/layers", json={"kind": "text",
                                             "content": {"text": "x", "font": font["id"]}})
    assert ok.status_code == 201, ok.text
    wrong = client.post("/api/v1/layers", json={"kind": "text",
                                                "content": {"text": "x", "font": image["id"]}})
    assert wrong.status_code == 422 and wrong.json()["error"]["path"] == "content.font"
    wrong_image = client.post("/api/v1/layers", json={"kind": "image",
                                                      "content": {"asset": font["id"]}})
    assert wrong_image.status_code == 422
    in_use = client.delete(f"/api/v1/assets/{font['id']}")
    assert in_use.status_code == 409


def test_an_undecodable_image_says_what_is_wrong(client: TestClient) -> None:
    response = client.post("/api/v1/assets", content=b"\x89PNG not really",
                           headers={"Content-Type": "image/png"})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "BytesIO" not in message and "0x" not in message
    assert "PNG, JPEG, WebP or GIF" in message
