"""The renderer's working-frame formats (a plain list: the settings read it without GL).

* ``rgba16f`` (the default): half-float, so stacked translucent layers neither band nor drift
  and ``add`` saturates at the end of the stack.
* ``rgba8``: rounds at every blend and clamps each ``add`` at once; a sixth less time per whole
  frame on Mesa llvmpipe, up to 2-3/255 off after a few blends (benchmarks/RESULTS.md). Not for
  linear-light blending, which bands in 8 bits.
"""

from __future__ import annotations

__all__ = ["FRAME_FORMATS"]

FRAME_FORMATS = ("rgba16f", "rgba8")
