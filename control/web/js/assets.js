// The asset gallery: upload (file picker or drag and drop anywhere on the panel) as the raw body
// with its Content-Type and the file name in X-Filename, with its progress; a card per asset with
// its facts (size; dimensions; a clip's duration and frame rate) and a thumbnail fetched with the
// token (images: GET /assets/{id}/data; video clips: GET /assets/{id}/thumbnail.jpg, their first
// frame; sound: an icon); "Add" for what can be a layer (image, video, audio), and delete (a 409
// "in use" names the layers that still use it).

import { formatBytes, formatSeconds, h, icon } from "./dom.js";

// Browsers give some files no type at all (fonts; some clips on some systems): the extension's.
const TYPES_BY_EXTENSION = {
  ttf: "font/ttf", otf: "font/otf",
  mp4: "video/mp4", m4v: "video/mp4", mov: "video/quicktime", mkv: "video/x-matroska",
  webm: "video/webm", ts: "video/mp2t", mp3: "audio/mpeg", wav: "audio/wav", aac: "audio/aac",
  ogg: "audio/ogg", oga: "audio/ogg", flac: "audio/flac",
};
const LAYER_KINDS = new Set(["image", "video", "audio"]);

/** The Content-Type to send: the browser's guess, or the extension's (browsers often give fonts
 *  no type at all); the server sniffs application/octet-stream. */
export function contentTypeOf(file) {
  if (file.type) return file.type;
  const ext = file.name.split(".").pop().toLowerCase();
  return TYPES_BY_EXTENSION[ext] ?? "application/octet-stream";
}

/** The facts of an asset for its card: "64×36 · 1.2 kB", "320×180 · 25 fps · 2.0 s · 1.1 MB". */
export function assetFacts(asset) {
  const parts = [];
  if (asset.width && asset.height) parts.push(`${asset.width}×${asset.height}`);
  else if (asset.kind !== "video") parts.push(asset.kind);
  if (typeof asset.fps === "number") parts.push(`${Number(asset.fps.toFixed(2))} fps`);
  if (typeof asset.duration_s === "number") parts.push(formatSeconds(asset.duration_s));
  parts.push(formatBytes(asset.bytes));
  return parts.join(" · ");
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a literal "%" in a name that was sent as is
  }
}

export class Assets {
  constructor({ api, state, actions, confirm, notify, root }) {
    this.api = api;
    this.state = state;
    this.actions = actions;
    this.confirm = confirm;
    this.notify = notify;
    this.grid = root.querySelector("#asset-grid");
    this.panel = root.querySelector(".panel-assets");
    this.zone = root.querySelector("#asset-dropzone");
    this.input = root.querySelector("#asset-file");
    this.thumbs = new Map(); // asset id -> blob URL (assets are immutable: fetched once)
    this.uploads = new Map(); // a temporary key -> {name, percent}, shown while uploading
    this.errors = new Map(); // asset id -> message on its card
    this.input.addEventListener("change", () => {
      this.upload([...this.input.files]);
      this.input.value = "";
    });
    this.setUpDrop();
    state.addEventListener("change", (e) => {
      if (e.detail.what === "assets") this.render();
    });
  }

  setUpDrop() {
    let depth = 0; // dragenter/leave fire for every child; count to know when we really left
    const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes("Files");
    this.panel.addEventListener("dragenter", (e) => {
      if (!hasFiles(e)) return;
      depth += 1;
      this.panel.classList.add("is-dropping");
    });
    this.panel.addEventListener("dragleave", (e) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) this.panel.classList.remove("is-dropping");
    });
    this.panel.addEventListener("dragover", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    });
    this.panel.addEventListener("drop", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      this.panel.classList.remove("is-dropping");
      this.upload([...e.dataTransfer.files]);
    });
  }

  async load() {
    try {
      const body = await this.api.get("/assets");
      this.state.setAssets(body.assets ?? []);
    } catch (error) {
      if (!error.isOffline) this.notify(`Could not list the assets: ${error.message}`, "error");
    }
  }

  /** Upload files one after the other; resolves to the stored assets' metadata. */
  async upload(files) {
    const stored = [];
    for (const file of files) {
      const key = `upload-${Math.random()}`;
      const pending = { name: file.name, percent: null };
      this.uploads.set(key, pending);
      this.render();
      const onProgress = (loaded, total) => {
        const percent = total ? Math.floor((100 * loaded) / total) : null;
        if (percent === pending.percent) return; // redraw once per percent, not per packet
        pending.percent = percent;
        this.render();
      };
      try {
        // Header values must be printable ASCII; other names travel percent-encoded.
        const name = /^[\x20-\x7e]*$/.test(file.name) ? file.name : encodeURIComponent(file.name);
        const headers = { "X-Filename": name.slice(0, 256) };
        const response = await this.api.request("POST", "/assets", {
          body: file, contentType: contentTypeOf(file), headers, raw: true, onProgress,
        });
        stored.push(await response.json());
      } catch (error) {
        this.notify(`${file.name}: ${error.message}`, "error");
      } finally {
        this.uploads.delete(key);
      }
    }
    await this.load();
    if (stored.length) this.notify(`Uploaded ${stored.map((a) => a.name || a.id.slice(0, 8)).join(", ")}`, "ok");
    return stored;
  }

  async remove(asset) {
    const label = asset.name || asset.id.slice(0, 12);
    if (!(await this.confirm(`Delete the asset “${label}”?`, "Delete"))) return;
    try {
      await this.api.del(`/assets/${asset.id}`);
      this.errors.delete(asset.id);
      await this.load();
    } catch (error) {
      const message = error.status === 409
        ? `In use: ${error.message}. Remove or change those layers first.`
        : error.message;
      this.errors.set(asset.id, message);
      this.render();
      this.notify(`Cannot delete ${label}: ${message}`, "error");
    }
  }

  async thumbnail(asset, img) {
    let url = this.thumbs.get(asset.id);
    if (!url) {
      // A picture's own bytes (its transparency shows on the checkerboard); a clip's first frame.
      const path = asset.kind === "image" ? "data" : "thumbnail.jpg";
      try {
        const response = await this.api.request("GET", `/assets/${asset.id}/${path}`, { raw: true });
        url = URL.createObjectURL(await response.blob());
        this.thumbs.set(asset.id, url);
      } catch {
        return; // the card still shows the asset's facts
      }
    }
    img.src = url;
  }

  render() {
    const ids = new Set(this.state.assets.map((a) => a.id));
    for (const [id, url] of this.thumbs) {
      if (!ids.has(id)) {
        URL.revokeObjectURL(url); // deleted: its thumbnail is not needed any more
        this.thumbs.delete(id);
      }
    }
    const cards = this.state.assets.map((asset) => this.card(asset));
    const pending = [...this.uploads.values()].map(({ name, percent }) =>
      h("li", { class: "asset-card is-uploading" },
        h("div", { class: "asset-thumb" }, h("span", { class: "spinner", "aria-hidden": "true" })),
        h("div", { class: "asset-name" }, name),
        h("div", { class: "asset-meta" }, percent === null ? "uploading…" : `uploading… ${percent}%`),
        percent === null ? null : h("progress", { class: "asset-progress", max: 100, value: percent,
          "aria-label": `Uploading ${name}` })));
    this.grid.replaceChildren(...pending, ...cards);
    this.zone.classList.toggle("is-compact", cards.length + pending.length > 0);
  }

  thumb(asset) {
    if (asset.kind === "image" || asset.kind === "video") {
      const img = h("img", { alt: "", loading: "lazy", draggable: "false" });
      this.thumbnail(asset, img);
      const duration = asset.kind === "video" && typeof asset.duration_s === "number"
        ? h("span", { class: "asset-duration" }, formatSeconds(asset.duration_s)) : null;
      const sound = asset.kind === "video" && asset.has_audio
        ? h("span", { class: "asset-sound", title: "Has sound" }, icon("sound")) : null;
      return h("div", { class: `asset-thumb${asset.kind === "image" ? " checker" : " clip-thumb"}` },
        img, duration, sound);
    }
    if (asset.kind === "audio") {
      return h("div", { class: "asset-thumb audio-thumb", "aria-hidden": "true" }, icon("music"));
    }
    return h("div", { class: "asset-thumb font-thumb", "aria-hidden": "true" }, "Aa");
  }

  card(asset) {
    const label = asset.name ? safeDecode(asset.name) : asset.id.slice(0, 12);
    const error = this.errors.get(asset.id);
    return h("li", {
      class: "asset-card", dataset: { id: asset.id, kind: asset.kind }, title: `${label}\n${asset.id}`,
    },
    this.thumb(asset),
    h("div", { class: "asset-name" }, label),
    h("div", { class: "asset-meta" }, assetFacts(asset)),
    h("div", { class: "asset-actions" },
      LAYER_KINDS.has(asset.kind)
        ? h("button", { type: "button", class: "btn btn-tiny", "aria-label": `Add ${label} to the scene`,
          onclick: () => this.actions.addAsset(asset) }, "Add")
        : null,
      h("button", { type: "button", class: "btn btn-tiny btn-danger-ghost", "aria-label": `Delete asset ${label}`,
        onclick: () => this.remove(asset) }, "Delete")),
    error ? h("div", { class: "asset-error", role: "alert" }, error) : null);
  }
}
