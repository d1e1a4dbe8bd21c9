// The stream output: start/stop to a URL (typed into a password field: the stream key is a
// secret and screens get shared), and its status polled once a second: state, the redacted URL,
// fps, bitrate, frames, dropped frames and reconnects.

const POLL_MS = 1000;
const STATE_LABEL = {
  idle: "Off air", connecting: "Connecting", live: "On air", reconnecting: "Reconnecting", error: "Error",
};

function first(status, ...keys) {
  for (const key of keys) if (status[key] !== undefined && status[key] !== null) return status[key];
  return null;
}

/** "6.0 Mb/s" from whatever bitrate field the server gives (bps, kbps or a string). */
export function formatBitrate(status) {
  const bps = first(status, "bitrate_bps", "bits_per_second");
  const kbps = first(status, "bitrate_kbps");
  const value = bps ?? (kbps !== null ? kbps * 1000 : first(status, "bitrate"));
  if (value === null) return "—";
  if (typeof value === "string") return value;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} Mb/s`;
  return `${Math.round(value / 1000)} kb/s`;
}

export class Output extends EventTarget {
  constructor({ api, notify, root }) {
    super();
    this.api = api;
    this.notify = notify;
    this.form = root.querySelector("#output-form");
    this.url = root.querySelector("#output-url");
    this.reveal = root.querySelector("#output-reveal");
    this.startButton = root.querySelector("#output-start");
    this.stopButton = root.querySelector("#output-stop");
    this.error = root.querySelector("#output-error");
    this.badge = root.querySelector("#output-state");
    this.cells = {
      url: root.querySelector("#stat-url"), fps: root.querySelector("#stat-fps"),
      bitrate: root.querySelector("#stat-bitrate"), frames: root.querySelector("#stat-frames"),
      dropped: root.querySelector("#stat-dropped"), reconnects: root.querySelector("#stat-reconnects"),
      encoder: root.querySelector("#stat-encoder"),
    };
    this.status = null;
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.start();
    });
    this.stopButton.addEventListener("click", () => this.stop());
    this.reveal.addEventListener("click", () => {
      const show = this.url.type === "password";
      this.url.type = show ? "text" : "password";
      this.reveal.textContent = show ? "Hide" : "Show";
      this.reveal.setAttribute("aria-pressed", String(show));
    });
  }

  /** Begin polling the status. */
  run() {
    this.poll();
  }

  async poll() {
    try {
      this.render(await this.api.get("/output"));
    } catch (error) {
      if (error.isOffline) this.render(null);
    }
    setTimeout(() => this.poll(), document.hidden ? 4 * POLL_MS : POLL_MS);
  }

  async act(path, body) {
    this.error.hidden = true;
    this.startButton.disabled = true;
    this.stopButton.disabled = true;
    try {
      this.render(await this.api.post(path, body));
    } catch (error) {
      this.error.textContent = error.path ? `${error.path}: ${error.message}` : error.message;
      this.error.hidden = false;
    } finally {
      this.startButton.disabled = false;
      this.stopButton.disabled = false;
    }
  }

  async start() {
    const url = this.url.value.trim();
    await this.act("/output/start", url ? { url } : {});
  }

  async stop() {
    await this.act("/output/stop", {});
  }

  render(status) {
    this.status = status;
    const state = status ? String(status.state ?? "idle") : "unknown";
    this.badge.dataset.state = state;
    this.badge.textContent = status ? state : "unknown";
    const c = this.cells;
    const number = (v, digits = 0) => (typeof v === "number" ? v.toFixed(digits) : "—");
    c.url.textContent = status?.url ?? "—";
    c.fps.textContent = status ? number(first(status, "fps"), 1) : "—";
    c.bitrate.textContent = status ? formatBitrate(status) : "—";
    c.frames.textContent = status ? number(first(status, "frames")) : "—";
    c.dropped.textContent = status ? number(first(status, "dropped", "dropped_frames")) : "—";
    c.reconnects.textContent = status ? number(first(status, "reconnects", "reconnect_count")) : "—";
    c.encoder.textContent = status ? String(first(status, "encoder") ?? "—") : "—";
    c.dropped.classList.toggle("warn", Boolean(status && first(status, "dropped", "dropped_frames") > 0));
    const problem = status ? first(status, "error", "last_error") : null;
    if (problem && state === "error") {
      this.error.textContent = String(problem);
      this.error.hidden = false;
    }
    this.dispatchEvent(new CustomEvent("status", { detail: { state, label: STATE_LABEL[state] ?? state } }));
  }
}
