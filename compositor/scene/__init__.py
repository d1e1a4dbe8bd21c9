"""The pure scene model and everything that computes on it, with no I/O and no GL.

- :mod:`compositor.scene.model`: the frozen data (re-exported here, so ``from compositor.scene
  import Layer`` is the one import of the model).
- :mod:`compositor.scene.codec`: JSON ⇄ scene, the one place that knows each field's rules.
- :mod:`compositor.scene.ops`: applying a commit's ops, all or nothing.
- :mod:`compositor.scene.animation`: tweens, keyframes, enter/exit, easings (pure functions of
  the scene and the frame).
- :mod:`compositor.scene.schedule`: when a commit lands (``at`` resolution).
- :mod:`compositor.scene.geometry`: where a layer lands on the canvas (numpy).

This package imports nothing of ours but :mod:`compositor.errors`.
"""

from compositor.scene.model import *  # noqa: F403
from compositor.scene.model import __all__ as __all__
