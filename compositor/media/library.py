"""The clips a pipeline plays: prepared media, one decoder per playing layer, the audio mix."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from compositor.media.decoder import ClipDecoder
from compositor.media.frame import VideoFrame
from compositor.media.info import MediaInfo, MediaLimits
from compositor.media.metrics import MediaMetrics
from compositor.media.mixer import mix_frame
from compositor.media.nvdec import choose_decoder
from compositor.media.pcm import Pcm, load_pcm, render_pcm
from compositor.media.probe import probe_media
from compositor.media.timeline import clip_frame_index
from compositor.scene.model import Scene, VideoContent

__all__ = ["MediaLibrary"]

log = logging.getLogger(__name__)

_JOIN_ON_CLOSE_S = 2.0
_DecoderKey = tuple[str, float, float | None, bool, int | None, str, Fraction]


@dataclass(frozen=True, slots=True)
class _Clip:
    path: Path
    info: MediaInfo
    pcm: Pcm


class MediaLibrary:
    """Prepared clips and their playback, one per process or pipeline; thread-safe.

    Threads: :meth:`prepare` blocks (probe, sound rendered to PCM) and runs off the render
    thread, before a scene naming the clip is published. :meth:`video_frame`, :meth:`end_frame`
    and :meth:`mix` are the render thread's and never block beyond the ``wait_s`` they are given.

    Bounds: a decoder thread exists only for a layer that plays (from ``read_ahead_frames``
    house frames before its start frame until :meth:`end_frame` no longer lists it, or it is
    hidden after its end) and holds at most ``read_ahead_frames`` decoded pictures plus the one
    shown and the file's last. The PCM of each clip is a file under ``cache_dir`` mapped into
    memory (``<cache_dir>/<asset_id>.f32``), in memory only without a cache folder. Prepared
    clips stay until :meth:`release` (the service releases those no scene names any more, see
    ``control/service/clips.py``), which also removes their cache files; :meth:`remove_stale_cache`
    removes the files of clips that are not prepared (left by an earlier process).
    """

    def __init__(self, cache_dir: Path | None, *, read_ahead_frames: int = 8,
                 decoder: str = "auto", metrics: MediaMetrics | None = None,
                 limits: MediaLimits | None = None) -> None:
        self.decoder = choose_decoder(decoder)
        self.cache_dir = cache_dir
        self.read_ahead_frames = max(1, read_ahead_frames)
        self.metrics = metrics
        self.limits = limits or MediaLimits()
        self._lock = threading.Lock()
        self._preparing: dict[str, threading.Lock] = {}
        self._clips: dict[str, _Clip] = {}
        self._decoders: dict[str, tuple[_DecoderKey, ClipDecoder]] = {}
        self._problems: dict[str, str] = {}
        self._closed = False
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)

    # --- preparing (any thread, blocking) -------------------------------------------------

    def prepare(self, asset_id: str, path: Path) -> MediaInfo:
        """Probe ``path`` and render its sound once to the PCM cache (blocking). Idempotent:
        cheap when already prepared; a cache file left by an earlier process is reused (asset
        ids are content addresses, so the same id is the same sound). Raises MediaError."""
        with self._lock:
            clip = self._clips.get(asset_id)
            if clip is not None:
                return clip.info
            gate = self._preparing.setdefault(asset_id, threading.Lock())
        with gate:
            with self._lock:
                clip = self._clips.get(asset_id)
            if clip is not None:
                return clip.info
            info = probe_media(path, self.limits)
            dest = None if self.cache_dir is None else self.cache_dir / f"{asset_id}.f32"
            pcm = load_pcm(dest) if dest is not None and dest.exists() else render_pcm(path, dest)
            with self._lock:
                self._clips[asset_id] = _Clip(path, info, pcm)
                self._preparing.pop(asset_id, None)
                self._count_prepared()
            return info

    def prepared(self) -> list[str]:
        """The asset ids of the prepared clips (any thread)."""
        with self._lock:
            return list(self._clips)

    def release(self, asset_ids: Iterable[str]) -> list[str]:
        """Forget the prepared clips ``asset_ids`` that no decoder plays, and remove their PCM
        cache files (any thread, blocking on the file system); the ids released. A released clip
        is prepared again (its sound rendered again) by the next :meth:`prepare`. A caller
        releases only clips that no scene the pipeline holds names: the render thread then
        neither mixes them nor asks for their pictures."""
        released = []
        with self._lock:
            playing = {key[0] for key, _ in self._decoders.values()}
            for asset_id in asset_ids:
                if asset_id in playing or self._clips.pop(asset_id, None) is None:
                    continue
                released.append(asset_id)
                self._remove_cache_file(asset_id)
            self._count_prepared()
        if self.metrics is not None and released:
            self.metrics.clips_released.inc(len(released))
        return released

    def remove_stale_cache(self) -> list[str]:
        """Remove the PCM cache files of clips that are neither prepared nor being prepared
        (an earlier process's, or a released clip's that could not be removed then); their
        asset ids. Blocking on the file system."""
        if self.cache_dir is None:
            return []
        with self._lock:  # a prepare registers under this lock before it looks for its file
            busy = set(self._clips) | set(self._preparing)
            stale = sorted(path.stem for path in self.cache_dir.glob("*.f32")
                           if path.stem not in busy)
            for asset_id in stale:
                self._remove_cache_file(asset_id)
        return stale

    def info(self, asset_id: str) -> MediaInfo | None:
        """The prepared clip's info, None when it is not prepared (non-blocking)."""
        clip = self._clips.get(asset_id)
        return None if clip is None else clip.info

    # --- render thread --------------------------------------------------------------------

    def video_frame(self, layer_id: str, content: VideoContent, fps: Fraction, frame: int,
                    *, wait_s: float = 0.0) -> VideoFrame | None:
        """The picture layer ``layer_id`` shows at absolute house ``frame`` on a channel at
        ``fps``, or None: nothing to show (before its start, hidden after its end, a live input,
        not prepared, failed). Waits up to ``wait_s`` for a picture not decoded yet (offline
        renders pass a large wait and are deterministic); without it, the newest earlier one
        is shown and a late frame counted."""
        clip = None if content.asset is None else self._clips.get(content.asset)
        if clip is None or clip.info.kind != "video" or self._closed:
            return None
        index = clip_frame_index(content, clip.info, fps, frame)
        start = content.start_frame
        pre_roll = (index is None and start is not None
                    and 0 < start - frame <= self.read_ahead_frames)
        if index is None and not pre_roll:
            self._stop(layer_id)
            return None
        decoder = self._decoder(layer_id, content, clip, fps)
        if decoder.failure is not None:
            return None
        return decoder.frame(frame, index, wait_s)

    def end_frame(self, playing: set[str]) -> None:
        """Once per frame: the layer ids that still play; the other layers' decoders stop and
        their problems are forgotten."""
        with self._lock:
            gone = [layer for layer in self._decoders if layer not in playing]
            for layer in [layer for layer in self._problems if layer not in playing]:
                del self._problems[layer]
        for layer in gone:
            self._stop(layer)

    def mix(self, scene: Scene, fps: Fraction, frame: int) -> Pcm:
        """Program audio of absolute ``frame`` for the evaluated ``scene``: shape
        ``(S(frame + 1) - S(frame), 2)`` float32 (``mixer.mix_frame``). Zeros when nothing
        plays; a pure function of the scene and the frame, given the prepared clips."""
        return mix_frame(scene, fps, frame, self._sound)

    def problems(self) -> dict[str, str]:
        """Layer id -> why its clip failed while playing (until the layer stops playing or is
        restarted)."""
        with self._lock:
            return dict(self._problems)

    def close(self) -> None:
        """Stop every decoder (waiting a little for their threads) and forget the clips."""
        with self._lock:
            self._closed = True
            decoders = [decoder for _, decoder in self._decoders.values()]
            self._decoders.clear()
        for decoder in decoders:
            decoder.close()
        for decoder in decoders:
            decoder.join(_JOIN_ON_CLOSE_S)

    # --- internals ------------------------------------------------------------------------

    def _remove_cache_file(self, asset_id: str) -> None:
        """Remove ``<cache_dir>/<asset_id>.f32`` (under ``_lock``). A clip's memory map of it
        stays valid until dropped; a file that cannot be removed is left for a later sweep."""
        if self.cache_dir is None:
            return
        try:
            (self.cache_dir / f"{asset_id}.f32").unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove the PCM cache of clip %s: %s", asset_id, exc)

    def _count_prepared(self) -> None:
        if self.metrics is not None:
            self.metrics.clips_prepared.set(len(self._clips))

    def _sound(self, asset_id: str) -> tuple[MediaInfo, Pcm] | None:
        clip = self._clips.get(asset_id)
        return None if clip is None else (clip.info, clip.pcm)

    def _decoder(self, layer_id: str, content: VideoContent, clip: _Clip,
                 fps: Fraction) -> ClipDecoder:
        assert content.asset is not None
        key: _DecoderKey = (content.asset, content.in_s, content.out_s, content.loop,
                            content.start_frame, content.on_end, fps)
        with self._lock:
            current = self._decoders.get(layer_id)
            if current is not None and current[0] == key:
                return current[1]
            self._problems.pop(layer_id, None)
            decoder = ClipDecoder(
                asset_id=content.asset, path=clip.path, info=clip.info, content=content,
                fps=fps, read_ahead=self.read_ahead_frames, metrics=self.metrics,
                on_failure=lambda reason: self._failed(layer_id, key, reason), name=layer_id)
            self._decoders[layer_id] = (key, decoder)
        if current is not None:
            current[1].close()
        return decoder

    def _failed(self, layer_id: str, key: _DecoderKey, reason: str) -> None:
        with self._lock:
            current = self._decoders.get(layer_id)
            if current is not None and current[0] == key:
                self._problems[layer_id] = reason

    def _stop(self, layer_id: str) -> None:
        with self._lock:
            current = self._decoders.pop(layer_id, None)
        if current is not None:
            current[1].close()
