"""The page's own clip and meter logic, run in the browser from the running server's modules,
and the few names it shares with the Python side checked against their Python source."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from compositor.scene import ON_ENDS
from compositor.scene.codec import RUNTIME_LAYER_FIELDS
from tests.control.web.conftest import Pages, ServeProcess

pytestmark = pytest.mark.browser


def run(page: Page, module: str, body: str, arg: Any = None) -> Any:
    """``body`` (a function of the module ``m`` and ``arg``) evaluated in the page."""
    return page.evaluate(f"""async (arg) => {{
        const m = await import('/web/js/{module}');
        return ({body})(m, arg);
    }}""", arg)


def test_names_shared_with_python(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url, wait_online=False)
    assert run(page, "state.js", "(m) => m.SERVER_ONLY_FIELDS") == list(RUNTIME_LAYER_FIELDS)
    # The page's choices of a clip's end are the ones GET /limits serves, not a copy of its own.
    assert server.get("/limits")["choices"]["on_end"] == list(ON_ENDS)


def test_meter_scale(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url, wait_online=False)
    levels = [-120.0, -60.0, -30.0, -6.0, 0.0, 3.0, None]
    fractions = run(page, "meters.js", "(m, xs) => xs.map(m.meterFraction)", levels)
    assert fractions == pytest.approx([0, 0, 0.5, 0.9, 1, 1, 0])
    texts = run(page, "meters.js", "(m, xs) => xs.map(m.formatDb)", levels)
    assert texts == ["-inf", "-60.0", "-30.0", "-6.0", "0.0", "3.0", "—"]


def test_clip_position(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url, wait_online=False)
    start = 54_000_000_000  # a house-clock frame at 30 fps
    content = {"start_frame": start, "in_s": 0.5, "out_s": 1.5, "loop": False}

    def at(seconds: float, **changes: Any) -> Any:
        now_ms = (start / 30 + seconds) * 1000
        return run(page, "clips.js", "(m, [c, now]) => m.clipPosition(c, 2.0, 30, now)",
                   [{**content, **changes}, now_ms])

    assert at(-1.0)["state"] == "waiting"
    playing = at(0.25)
    assert playing["state"] == "playing"
    assert playing["elapsed"] == pytest.approx(0.25, abs=1e-3)
    assert playing["length"] == pytest.approx(1.0)
    assert at(1.2)["state"] == "ended"
    looping = at(2.25, loop=True)
    assert looping["state"] == "looping"
    assert looping["elapsed"] == pytest.approx(0.25, abs=1e-3)
    assert at(0.5, out_s=None)["length"] == pytest.approx(1.5)  # null out: the clip's end
    assert at(0.5, start_frame=None) is None  # not landed yet: the page cannot tell
    words = run(page, "clips.js", """(m) => [
        m.describePosition({ state: 'playing', elapsed: 1.25, length: 10 }, 'hold'),
        m.describePosition({ state: 'ended', elapsed: 10, length: 10 }, 'hide'),
        m.describePosition({ state: 'ended', elapsed: 10, length: 10 }, null),
        m.describePosition(null, 'hold')]""")
    assert words == ["1.2 s of 10.0 s · 8.7 s left", "ended · hidden", "ended", "starting…"]


def test_which_ops_the_server_completes(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url, wait_online=False)
    cases: list[tuple[list[dict[str, Any]], bool]] = [
        ([{"op": "add", "layer": {"id": "v", "kind": "video", "content": {"asset": "a"}}}], True),
        ([{"op": "add", "layer": {"id": "v", "kind": "audio",
                                  "content": {"asset": "a", "start_frame": 12}}}], False),
        ([{"op": "add", "layer": {"id": "c", "kind": "color", "content": {}}}], False),
        ([{"op": "update", "id": "v", "patch": {"content": {"start_frame": None}}}], True),
        ([{"op": "update", "id": "v", "patch": {"content": {"in_s": 1.5}}}], True),
        ([{"op": "update", "id": "v", "patch": {"content": {"loop": True}}}], True),
        ([{"op": "update", "id": "v", "patch": {"content": {"volume": 0.5}},
           "animate": {"duration_frames": 6}}], False),
        ([{"op": "update", "id": "v", "patch": {"transform": {"x": 1}}}], False),
        ([{"op": "remove", "id": "v"}], False),
    ]
    answers = run(page, "state.js", "(m, cases) => cases.map(([ops]) => m.serverCompletes(ops))",
                  cases)
    assert answers == [expected for _, expected in cases]


def test_conflicts_ignore_what_only_the_server_writes(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url, wait_online=False)
    changed = run(page, "editor.js", """(m) => {
        const layer = { id: 'v', kind: 'video', content: { volume: 1 } };
        const before = { layers: [layer] };
        const tweened = { layers: [{ ...layer, tweens: [{ property: 'content.volume' }] }] };
        const edited = { layers: [{ ...layer, content: { volume: 0.5 } }] };
        const ops = [{ op: 'update', id: 'v', patch: { name: 'x' } }];
        return [m.touchedChanged(before, tweened, ops), m.touchedChanged(before, edited, ops)];
    }""")
    assert changed == [False, True]


def test_asset_facts_and_times(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url, wait_online=False)
    facts = run(page, "assets.js", """(m) => [
        m.assetFacts({ kind: 'video', width: 1920, height: 1080, fps: 29.97002997,
                       duration_s: 65.25, bytes: 4500000 }),
        m.assetFacts({ kind: 'audio', duration_s: 2.04, bytes: 384044 }),
        m.assetFacts({ kind: 'image', width: 64, height: 36, bytes: 980 }),
        m.contentTypeOf(new File([], 'music.flac')),
        m.contentTypeOf(new File([], 'clip.MOV')),
        m.contentTypeOf(new File([], 'x.bin')),
    ]""")
    assert facts == [
        "1920×1080 · 29.97 fps · 1:05.2 · 4.5 MB", "audio · 2.0 s · 384 kB", "64×36 · 980 B",
        "audio/flac", "video/quicktime", "application/octet-stream",
    ]
    times = run(page, "dom.js", "(m) => [0, 2.04, 59.99, 3723.4].map(m.formatSeconds)")
    assert times == ["0.0 s", "2.0 s", "59.9 s", "1:02:03.4"]
