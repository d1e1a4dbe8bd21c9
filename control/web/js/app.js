// The operator's page: builds the parts, connects them, and owns the keyboard shortcuts.
// Every part talks to the server only through the public API (api.js, sync.js).

import { Actions } from "./actions.js";
import { Api } from "./api.js";
import { Assets } from "./assets.js";
import { Auth } from "./auth.js";
import { assetPicker, confirmer, notifier } from "./dialogs.js";
import { isTextEntry } from "./dom.js";
import { Editor } from "./editor.js";
import { LayerList } from "./layers.js";
import { Meters } from "./meters.js";
import { Output } from "./output.js";
import { Preview } from "./preview.js";
import { Properties } from "./properties.js";
import { State } from "./state.js";
import { Sync } from "./sync.js";

const NUDGE = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

function formatFps(fps) {
  if (typeof fps === "string" && fps.includes("/")) {
    const [n, d] = fps.split("/").map(Number);
    return (n / d).toFixed(2);
  }
  return String(fps);
}

function main() {
  const root = document;
  const notify = notifier(root.querySelector("#toasts"));
  const confirm = confirmer(root.querySelector("#confirm-dialog"));
  const pickAsset = assetPicker(root.querySelector("#asset-dialog"));
  const auth = new Auth(root.querySelector("#token-dialog"));
  const api = new Api(auth);
  const state = new State();
  const editor = new Editor(api, state, notify);
  const actions = new Actions({ state, editor, confirm, notify });
  const preview = new Preview({ api, state, editor, root });
  new LayerList({ state, actions, root });
  new Properties({ state, editor, actions, notify, root });
  const assets = new Assets({ api, state, actions, confirm, notify, root });
  const output = new Output({ api, notify, root });
  const meters = new Meters(root.querySelector("#audio-meters"));
  output.addEventListener("status", (e) => meters.show(e.detail.status?.audio ?? null));
  const sync = new Sync(state, auth, editor, () => api.get("/output"));

  wireHeader({ root, state, sync, output, auth });
  wireAddButtons({ root, state, actions, pickAsset, notify });
  wireKeyboard({ state, actions });

  // A debugging handle for the console (and the browser tests): read-only by convention.
  window.compositor = { state, editor, sync, api };

  (async () => {
    await loadLimits(api, state, notify); // a 401 here asks for the token before anything else runs
    await editor.refetch();
    await assets.load();
    sync.connect();
    preview.start();
    output.run();
  })();
}

/** GET /limits onto State, before the property panel is first built (it takes its choices and
 *  bounds from them). If that fails (offline, no token yet), each scene that arrives later tries
 *  again: the server answers then; the panel is rebuilt when they come. */
function loadLimits(api, state, notify) {
  let loading = null;
  const load = () => {
    loading ??= api.get("/limits")
      .then((limits) => state.setLimits(limits), (error) => {
        if (!error.isOffline) notify(`Could not load the field limits: ${error.message}`, "error");
      })
      .finally(() => { loading = null; });
    return loading;
  };
  state.addEventListener("change", (e) => {
    if (e.detail.what === "scene" && !state.limits) load();
  });
  return load();
}

function wireHeader({ root, state, sync, output, auth }) {
  const info = root.querySelector("#scene-info");
  const syncPill = root.querySelector("#sync-pill");
  const airPill = root.querySelector("#onair-pill");
  state.addEventListener("change", () => {
    const s = state.scene;
    if (!s) return;
    info.textContent = `${s.width}×${s.height} · ${formatFps(s.fps)} fps · ${s.layers.length} layers · v${s.version}`;
  });
  let countdown = null;
  sync.addEventListener("status", (e) => {
    const status = e.detail.status;
    syncPill.dataset.state = status;
    document.body.dataset.sync = status; // the preview dims while the page is offline
    clearInterval(countdown);
    if (status === "online") {
      syncPill.textContent = "Live sync";
      return;
    }
    // Offline: say so, and when the next attempt comes.
    const tick = () => {
      const seconds = Math.max(0, Math.ceil((sync.retryAt - Date.now()) / 1000));
      syncPill.textContent = seconds > 0 ? `Offline · retry in ${seconds}s` : "Offline · reconnecting…";
    };
    tick();
    countdown = setInterval(tick, 500);
  });
  syncPill.addEventListener("click", () => {
    if (sync.status === "online") return;
    auth.reset();
    sync.reconnectNow();
  });
  output.addEventListener("status", (e) => {
    airPill.dataset.state = e.detail.state;
    airPill.textContent = e.detail.label;
  });
}

const UPLOAD_FIRST = { image: "an image", video: "a video clip", audio: "a sound file" };

function wireAddButtons({ root, state, actions, pickAsset, notify }) {
  root.querySelector("#add-color").addEventListener("click", () => actions.addColor());
  root.querySelector("#add-text").addEventListener("click", () => actions.addText());
  for (const kind of ["image", "video", "audio"]) {
    root.querySelector(`#add-${kind}`).addEventListener("click", async () => {
      if (!state.assets.some((a) => a.kind === kind)) {
        notify(`Upload ${UPLOAD_FIRST[kind]} in Assets first (file picker or drag and drop).`, "info");
      }
      const asset = await pickAsset(state.assets, kind);
      if (asset) actions.addAsset(asset);
    });
  }
}

function wireKeyboard({ state, actions }) {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || document.querySelector("dialog[open]")) return;
    if (isTextEntry(event.target)) return;
    const id = state.selectedId;
    if (event.key === "Escape") {
      state.select(null);
      return;
    }
    if (!id || event.ctrlKey || event.metaKey || event.altKey) return;
    const step = NUDGE[event.key];
    if (step) {
      event.preventDefault(); // no page scroll
      const by = event.shiftKey ? 10 : 1;
      actions.nudge(id, step[0] * by, step[1] * by);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      actions.remove(id);
    }
  });
}

main();
