// The asset gallery: upload (file picker or drag and drop anywhere on the panel) as the raw body
// with its Content-Type and the file name in X-Filename, a card per asset with its size and
// dimensions and a thumbnail (GET /assets/{id}/data, fetched with the token), "add to scene" for
// images, and delete (a 409 "in use" names the layers that still use it).

import { formatBytes, h } from "./dom.js";

const FONT_TYPES = { ttf: "font/ttf", otf: "font/otf" };

/** The Content-Type to send: the browser's guess, or the extension's for fonts (browsers often
 *  give fonts no type at all). */
export function contentTypeOf(file) {
  if (file.type) return file.type;
  const ext = file.name.split(".").pop().toLowerCase();
  return FONT_TYPES[ext] ?? "application/octet-stream";
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
    this.uploads = new Map(); // a temporary key -> file name, shown while uploading
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
      this.uploads.set(key, file.name);
      this.render();
      try {
        // Header values must be printable ASCII; other names travel percent-encoded.
        const name = /^[\x20-\x7e]*$/.test(file.name) ? file.name : encodeURIComponent(file.name);
        const headers = { "X-Filename": name.slice(0, 256) };
        const response = await this.api.request("POST", "/assets", {
          body: file, contentType: contentTypeOf(file), headers, raw: true,
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
      try {
        const response = await this.api.request("GET", `/assets/${asset.id}/data`, { raw: true });
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
    const pending = [...this.uploads.values()].map((name) =>
      h("li", { class: "asset-card is-uploading" },
        h("div", { class: "asset-thumb" }, h("span", { class: "spinner", "aria-hidden": "true" })),
        h("div", { class: "asset-name" }, name), h("div", { class: "asset-meta" }, "uploading…")));
    this.grid.replaceChildren(...pending, ...cards);
    this.zone.classList.toggle("is-compact", cards.length + pending.length > 0);
  }

  card(asset) {
    const label = asset.name ? safeDecode(asset.name) : asset.id.slice(0, 12);
    const dims = asset.width && asset.height ? `${asset.width}×${asset.height}` : asset.kind;
    let thumb;
    if (asset.kind === "image") {
      const img = h("img", { alt: "", loading: "lazy", draggable: "false" });
      this.thumbnail(asset, img);
      thumb = h("div", { class: "asset-thumb checker" }, img);
    } else {
      thumb = h("div", { class: "asset-thumb font-thumb", "aria-hidden": "true" }, "Aa");
    }
    const error = this.errors.get(asset.id);
    return h("li", { class: "asset-card", dataset: { id: asset.id }, title: `${label}\n${asset.id}` },
      thumb,
      h("div", { class: "asset-name" }, label),
      h("div", { class: "asset-meta" }, `${dims} · ${formatBytes(asset.bytes)}`),
      h("div", { class: "asset-actions" },
        asset.kind === "image"
          ? h("button", { type: "button", class: "btn btn-tiny", "aria-label": `Add ${label} to the scene`,
            onclick: () => this.actions.addImage(asset) }, "Add")
          : null,
        h("button", { type: "button", class: "btn btn-tiny btn-danger-ghost", "aria-label": `Delete asset ${label}`,
          onclick: () => this.remove(asset) }, "Delete")),
      error ? h("div", { class: "asset-error", role: "alert" }, error) : null);
  }
}
