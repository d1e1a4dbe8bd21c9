"""Reading a decoded clip picture back: its mean colour and the counter index it encodes."""

from __future__ import annotations

from compositor.media import VideoFrame
from tests.media_factory import index_of_color

__all__ = ["index_of_picture", "rgb_of"]

# Y'CbCr -> R'G'B' coefficients (Kr, Kb) of each matrix.
_K = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}


def rgb_of(picture: VideoFrame) -> tuple[float, float, float]:
    """The mean colour of a (solid) picture, converted as its matrix and range say."""
    y, cb, cr = float(picture.y.mean()), float(picture.u.mean()), float(picture.v.mean())
    if picture.full_range:
        luma, pb, pr = y / 255, (cb - 128) / 255, (cr - 128) / 255
    else:
        luma, pb, pr = (y - 16) / 219, (cb - 128) / 224, (cr - 128) / 224
    kr, kb = _K[picture.matrix]
    kg = 1 - kr - kb
    r = luma + 2 * (1 - kr) * pr
    b = luma + 2 * (1 - kb) * pb
    g = (luma - kr * r - kb * b) / kg
    return r * 255, g * 255, b * 255


def index_of_picture(picture: VideoFrame | None) -> int | None:
    """The counter-clip frame index a picture shows (None: no picture, or no counter colour)."""
    return None if picture is None else index_of_color(rgb_of(picture))
