"""The renderer's choices: working-frame formats and compositing paths (plain lists: the
settings read them without GL).

* ``rgba16f`` (the default): half-float, so stacked translucent layers neither band nor drift
  and ``add`` saturates at the end of the stack.
* ``rgba8``: rounds at every blend and clamps each ``add`` at once; a sixth less time per whole
  frame on Mesa llvmpipe, up to 2-3/255 off after a few blends (benchmarks/RESULTS.md). Not for
  linear-light blending, which bands in 8 bits.
"""

from __future__ import annotations

__all__ = ["COMPOSITING", "FRAME_FORMATS"]

FRAME_FORMATS = ("rgba16f", "rgba8")

COMPOSITING = ("fragment", "tiled")
"""``fragment``: each layer a quad drawn and blended by the graphics pipeline, one draw per layer
(:mod:`compositor.gl.layer_passes`). ``tiled``: one compute pass, each tile blending only the
layers that touch it in registers and writing each pixel once (:mod:`compositor.gl.tiled`;
needs rgba16f; frames with clip pictures fall back to ``fragment``)."""
