// The inputs panel: live inputs (cameras, remote feeds) by URL, each with a state light
// (connecting, live, lost, error), the time since its last frame, what arrives (size, rate,
// codec), a thumbnail of its current picture, and buttons to show it as a layer or delete it.
//
// It polls GET /api/v1/inputs every second (a media age is a moving number anyway; polling also
// keeps the panel right across a reconnect), and a thumbnail every THUMB_MS per live input,
// fetched with the token like every API call. URLs arrive redacted: the page never holds a key.

import { h } from "./dom.js";

const POLL_MS = 1000;
const OFFLINE_POLL_MS = 5000;
const THUMB_MS = 3000;
const SCHEMES = ["rtmp://", "rtmps://", "srt://", "udp://", "rtp://", "rtsp://", "http://", "https://"];

/** The light and the words for an input's status. */
export function describeInput(status) {
  const age = status.media_age_ms;
  const ageText = age === null || age === undefined ? "no frame yet"
    : age < 1000 ? `${age} ms ago` : `${(age / 1000).toFixed(1)} s ago`;
  const what = status.width ? `${status.width}×${status.height}` + (status.fps ? ` · ${status.fps} fps` : "")
    + (status.video_codec ? ` · ${status.video_codec}` : "") + (status.has_audio ? " · sound" : "") : "";
  const counts = `${status.frames} frames · ${status.late} late · ${status.reconnects} reconnects`;
  return { light: status.state, age: ageText, what, counts, error: status.last_error || "" };
}

/** Why a URL would be refused, before asking the server (which decides): "" when it looks fine. */
export function urlProblem(url) {
  const text = url.trim();
  if (!text) return "Enter the input's URL.";
  if (!SCHEMES.some((s) => text.toLowerCase().startsWith(s))) {
    return `Use one of ${SCHEMES.join(" ")}`;
  }
  return "";
}

export class Inputs {
  constructor({ api, actions, confirm, notify, root }) {
    this.api = api;
    this.actions = actions;
    this.confirm = confirm;
    this.notify = notify;
    this.panel = root.querySelector("#inputs-panel");
    this.cards = new Map(); // id -> {node, parts, thumbAt, thumbUrl}
    this.timer = null;
    this.build();
  }

  build() {
    this.url = h("input", {
      type: "text", id: "input-url", spellcheck: "false", autocomplete: "off",
      placeholder: "rtmp://ingest/live/cam1 · srt://host:9000 · udp://@:5000 · …m3u8",
      "aria-label": "New input URL",
    });
    this.error = h("p", { class: "output-error", role: "alert", hidden: true });
    const form = h("form", { class: "input-form", id: "input-form", autocomplete: "off",
      onsubmit: (event) => { event.preventDefault(); this.create(); } },
    this.url, h("button", { type: "submit", class: "btn btn-small btn-primary", id: "input-add" }, "Add"));
    this.list = h("ul", { class: "input-list", id: "input-list", "aria-label": "Live inputs" });
    this.empty = h("p", { class: "empty-hint", id: "inputs-empty" }, "No live inputs. Add one by URL.");
    this.panel.append(
      h("header", { class: "panel-head" }, h("h2", { id: "inputs-title" }, "Inputs")),
      form, this.error, this.list, this.empty);
  }

  start() {
    this.poll();
  }

  async poll() {
    clearTimeout(this.timer);
    let delay = POLL_MS;
    try {
      const body = await this.api.get("/inputs");
      this.show(body.inputs ?? []);
    } catch (error) {
      delay = OFFLINE_POLL_MS; // offline or no token yet: try again, more slowly
    }
    this.timer = setTimeout(() => this.poll(), delay);
  }

  show(statuses) {
    const seen = new Set();
    for (const status of statuses) {
      seen.add(status.id);
      let card = this.cards.get(status.id);
      if (!card) {
        card = this.card(status.id);
        this.cards.set(status.id, card);
        this.list.append(card.node);
      }
      this.fill(card, status);
    }
    for (const [id, card] of this.cards) {
      if (seen.has(id)) continue;
      card.node.remove();
      if (card.thumbUrl) URL.revokeObjectURL(card.thumbUrl);
      this.cards.delete(id);
    }
    this.empty.hidden = this.cards.size > 0;
  }

  card(id) {
    const parts = {
      light: h("span", { class: "input-light", "aria-hidden": "true" }),
      name: h("span", { class: "input-name mono" }, id),
      state: h("span", { class: "input-state" }),
      age: h("span", { class: "input-age muted small" }),
      url: h("div", { class: "input-url mono small" }),
      what: h("div", { class: "input-what muted small" }),
      counts: h("div", { class: "input-counts muted small" }),
      error: h("div", { class: "input-error small" }),
      img: h("img", { alt: `Input ${id}`, class: "input-thumb-img", hidden: true }),
    };
    const node = h("li", { class: "input-card", dataset: { id } },
      h("div", { class: "input-thumb checker" }, parts.img),
      h("div", { class: "input-body" },
        h("div", { class: "input-line" }, parts.light, parts.name, parts.state, parts.age),
        parts.url, parts.what, parts.counts, parts.error,
        h("div", { class: "input-actions" },
          h("button", { type: "button", class: "btn btn-small", "data-role": "show",
            title: "Add a video layer showing this input", onclick: () => this.showAsLayer(id) }, "Show"),
          h("button", { type: "button", class: "btn btn-small btn-danger", "data-role": "delete",
            title: "Delete this input", onclick: () => this.remove(id) }, "Delete"))));
    return { node, parts, thumbAt: 0, thumbUrl: null };
  }

  fill(card, status) {
    const text = describeInput(status);
    card.node.dataset.state = status.state;
    card.parts.state.textContent = status.state;
    card.parts.age.textContent = text.age;
    card.parts.url.textContent = status.url;
    card.parts.what.textContent = text.what;
    card.parts.counts.textContent = text.counts;
    card.parts.error.textContent = text.error;
    card.parts.error.hidden = !text.error || status.state === "live";
    if (status.state === "live" && Date.now() - card.thumbAt > THUMB_MS) {
      card.thumbAt = Date.now();
      this.thumbnail(status.id, card);
    }
  }

  async thumbnail(id, card) {
    try {
      const response = await this.api.request("GET", `/inputs/${encodeURIComponent(id)}/thumbnail.jpg?width=160`, { raw: true });
      const url = URL.createObjectURL(await response.blob());
      if (card.thumbUrl) URL.revokeObjectURL(card.thumbUrl);
      card.thumbUrl = url;
      card.parts.img.src = url;
      card.parts.img.hidden = false;
    } catch {
      // no picture yet (404) or offline: keep the last one
    }
  }

  async create() {
    const url = this.url.value.trim();
    const problem = urlProblem(url);
    this.error.hidden = !problem;
    this.error.textContent = problem;
    if (problem) return;
    try {
      const status = await this.api.post("/inputs", { url });
      this.url.value = "";
      this.notify(`Input ${status.id} added: ${status.url}`, "info");
      this.poll();
    } catch (error) {
      this.error.hidden = false;
      this.error.textContent = error.path ? `${error.path}: ${error.message}` : error.message;
    }
  }

  /** A video layer showing the input, filling the canvas (resize it like any layer). */
  showAsLayer(id) {
    const scene = this.actions.state.scene;
    if (!scene) return null;
    return this.actions.add("video", { input: id, volume: 1, muted: false },
      { x: 0, y: 0, width: scene.width, height: scene.height });
  }

  async remove(id) {
    if (!(await this.confirm(`Delete the input ${id}? Layers showing it must be removed first.`))) return;
    try {
      await this.api.del(`/inputs/${encodeURIComponent(id)}`);
      this.poll();
    } catch (error) {
      this.notify(error.message, "error");
    }
  }
}
