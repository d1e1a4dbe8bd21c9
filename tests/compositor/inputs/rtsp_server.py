"""An RTSP server for the input tests, on loopback: GStreamer's gst-rtsp-server (Debian's
``gir1.2-gst-rtsp-server-1.0``, driven through ``python3-gi`` by the system Python, since the
project's venv has no GObject bindings) serving ``rtsp://127.0.0.1:PORT/live``: a solid colour
in H.264 (x264enc, 320x180 at 25 fps) and a 1 kHz tone in Opus, as an IP camera does.
``scripts/bootstrap`` installs the packages."""

from __future__ import annotations

import shutil
import subprocess
from types import TracebackType

from tests.servers import wait_for_port

__all__ = ["RtspServer", "rtsp_available"]

SYSTEM_PYTHON = "/usr/bin/python3"

_SERVER = r"""
import sys
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer

Gst.init(None)
port, rgb = sys.argv[1], sys.argv[2]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    "( videotestsrc is-live=true pattern=solid-color foreground-color=0xff" + rgb
    + " ! video/x-raw,width=320,height=180,framerate=25/1,format=I420"
    + " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25"
    + " ! rtph264pay name=pay0 pt=96 config-interval=1"
    + " audiotestsrc is-live=true freq=1000 wave=sine volume=0.5"
    + " ! audio/x-raw,rate=48000,channels=2 ! opusenc ! rtpopuspay name=pay1 pt=97 )")
factory.set_shared(True)
server.get_mount_points().add_factory("/live", factory)
server.attach(None)
GLib.MainLoop().run()
"""

_CHECK = ('import gi; gi.require_version("GstRtspServer", "1.0"); '
          'gi.require_version("Gst", "1.0"); from gi.repository import Gst, GstRtspServer; '
          'Gst.init(None); '
          'assert all(Gst.ElementFactory.find(e) for e in '
          '("x264enc", "opusenc", "rtph264pay", "rtpopuspay", "videotestsrc"))')


def rtsp_available() -> bool:
    """True when the system Python can run the server (the packages are installed)."""
    if shutil.which(SYSTEM_PYTHON) is None:
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", _CHECK], capture_output=True, timeout=30,
                          check=False).returncode == 0


class RtspServer:
    """The server as a context manager (killed on exit); ``color`` is RGB hex."""

    def __init__(self, port: int, color: str) -> None:
        self.port = port
        self.process = subprocess.Popen([SYSTEM_PYTHON, "-c", _SERVER, str(port), color],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, 20, self.process)
        except BaseException:
            self.kill()
            raise

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)

    def __enter__(self) -> RtspServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.kill()
