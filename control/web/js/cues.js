// Cues on the operator's page: a preview monitor (PVW) beside the program (PGM), one button per
// cue, and a Take button. Selecting a cue shows, on PVW, the scene as it would be after taking
// it (POST /api/v1/preview {"cue", "frame_offset"}: nothing is committed); the offset slider
// scrubs its animations. Take commits the selected cue (POST /api/v1/cues/{id}/take) with a
// request id, so a retried click after a timeout takes once. The cue list is re-read on load,
// after each take and every few seconds; cues are made and edited over the API (docs/operators.md).
//
// This module boots itself (index.html loads it after app.js) and uses the page's API client
// (window.compositor.api), so the token dialog is the page's one.

const REFRESH_MS = 5000;
const TAKE_TIMEOUT_MS = 5000;

function requestId() {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Cues {
  constructor({ api, root }) {
    this.api = api;
    this.list = root.querySelector("#cue-list");
    this.take = root.querySelector("#cue-take");
    this.img = root.querySelector("#pvw-img");
    this.status = root.querySelector("#pvw-status");
    this.offset = root.querySelector("#pvw-offset");
    this.cues = [];
    this.selected = null;
    this.objectUrl = null;
    this.take.addEventListener("click", () => this.takeSelected());
    this.offset.addEventListener("input", () => this.showPreview());
  }

  async start() {
    await this.refresh();
    setInterval(() => { if (!document.hidden) this.refresh(); }, REFRESH_MS);
  }

  async refresh() {
    try {
      const body = await this.api.request("GET", "/cues");
      this.cues = body.cues;
    } catch (err) {
      this.setStatus(`cues: ${err.message}`);
      return;
    }
    if (this.selected && !this.cues.some((cue) => cue.id === this.selected)) this.select(null);
    this.render();
  }

  render() {
    this.list.replaceChildren(...this.cues.map((cue) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-small cue-button";
      button.dataset.cue = cue.id;
      button.textContent = cue.name;
      button.title = `${cue.id}: ${cue.ops.length} op(s)`;
      button.setAttribute("aria-pressed", String(cue.id === this.selected));
      button.addEventListener("click", () => this.select(cue.id));
      return button;
    }));
    this.take.disabled = !this.selected;
  }

  select(id) {
    this.selected = id;
    this.render();
    this.showPreview();
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  async showPreview() {
    if (!this.selected) {
      this.img.removeAttribute("src");
      this.setStatus("select a cue");
      return;
    }
    const cue = this.selected;
    const frameOffset = Number(this.offset.value) || 0;
    try {
      const response = await this.api.request("POST", "/preview", {
        json: { cue, frame_offset: frameOffset, width: 640 }, raw: true });
      const blob = await response.blob();
      if (cue !== this.selected) return; // another cue was chosen meanwhile
      if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = URL.createObjectURL(blob);
      this.img.src = this.objectUrl;
      this.img.dataset.cue = cue;
      this.setStatus(`${cue} · +${frameOffset} frames`);
    } catch (err) {
      this.setStatus(`no preview: ${err.message}`);
    }
  }

  async takeSelected() {
    const cue = this.selected;
    if (!cue) return;
    this.take.disabled = true;
    const id = requestId();
    try {
      for (let attempt = 0; ; attempt++) {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), TAKE_TIMEOUT_MS);
        try {
          const body = await this.api.request("POST", `/cues/${encodeURIComponent(cue)}/take`, {
            json: { request_id: id }, signal: controller.signal });
          this.setStatus(`${cue} taken: version ${body.version}`);
          this.take.dataset.version = String(body.version);
          break;
        } catch (err) {
          // A lost reply is retried with the same request id: the server takes once.
          if (err.name !== "AbortError" || attempt >= 2) throw err;
        } finally {
          clearTimeout(timer);
        }
      }
    } catch (err) {
      this.setStatus(`take failed: ${err.message}`);
    } finally {
      this.take.disabled = !this.selected;
    }
  }
}

function boot() {
  const page = window.compositor;
  if (!page) {
    setTimeout(boot, 50); // app.js has not built the page yet
    return;
  }
  const cues = new Cues({ api: page.api, root: document });
  window.compositor.cues = cues;
  cues.start();
}

boot();
