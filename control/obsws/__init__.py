"""The obs-websocket 5 endpoint: OBS controllers (Stream Deck, Companion, Touch Portal,
Streamer.bot, obs-websocket-js, obsws-python) drive the compositor unchanged.

Cues are scenes, layers are scene items and inputs, the program output is the stream; every
change is an ordinary commit through the control plane (source ``controller``). The mapping is
documented in ``docs/obs-websocket.md``.
"""

from control.obsws.endpoint import Cue, CueDeck
from control.obsws.protocol import Auth, CloseCode, Status, authentication_string
from control.obsws.server import ObsServer, ObsSettings, create_obs_app

__all__ = ["Auth", "CloseCode", "Cue", "CueDeck", "ObsServer", "ObsSettings", "Status",
           "authentication_string", "create_obs_app"]
