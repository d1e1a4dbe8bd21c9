"""The live pipeline: the frame clock, the render thread, the encode stage and the one-slot scene
holder between the control side and the render thread (see :mod:`compositor.pipeline.pipeline`);
:class:`MediaSource` is what it needs of the clip library (``compositor.media.MediaLibrary``).
"""

from compositor.pipeline.config import Evaluate, NaturalSize, PipelineConfig
from compositor.pipeline.encode_stage import AppliedFrame
from compositor.pipeline.holder import SceneHolder
from compositor.pipeline.media import MediaSource
from compositor.pipeline.pipeline import Pipeline

__all__ = [
    "AppliedFrame",
    "Evaluate",
    "MediaSource",
    "NaturalSize",
    "Pipeline",
    "PipelineConfig",
    "SceneHolder",
]
