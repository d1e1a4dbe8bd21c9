"""Clips: probing uploads, the playback rule, decoding on threads and the program-audio mix.

``probe_media`` and ``thumbnail_jpeg`` check and show an uploaded file; ``MediaLibrary`` plays
prepared clips for a pipeline (pictures for the renderer, 48 kHz stereo PCM for the encoder);
``timeline`` is the one place of the rule "which clip frame and samples at house frame F".
Errors are ``compositor.errors.MediaError`` and its subclasses.
"""

from compositor.media.frame import VideoFrame
from compositor.media.info import AUDIO_RATE, MediaInfo, MediaLimits
from compositor.media.library import MediaLibrary
from compositor.media.metrics import MediaMetrics
from compositor.media.nvdec import NvdecStatus, choose_decoder, nvdec_status
from compositor.media.probe import probe_media, thumbnail_jpeg
from compositor.media.timeline import audio_samples_at, clip_frame_index, clip_sample_range

__all__ = [
    "AUDIO_RATE",
    "MediaInfo",
    "MediaLibrary",
    "MediaLimits",
    "MediaMetrics",
    "NvdecStatus",
    "VideoFrame",
    "audio_samples_at",
    "choose_decoder",
    "clip_frame_index",
    "clip_sample_range",
    "nvdec_status",
    "probe_media",
    "thumbnail_jpeg",
]
