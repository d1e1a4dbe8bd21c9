// The stream output: start/stop to a URL (typed into a password field: the stream key is a
// secret and screens get shared), and its status polled four times a second (the audio meters
// follow it): state, the redacted URL, fps, bitrate, frames, dropped frames and reconnects. Each
// status is also dispatched ("status" event, detail.status) for the meters.

const POLL_MS = 250;
const BITRATE_WINDOW_MS = 1000; // the measured bitrate is the slope over at least this long
const STATE_LABEL = {
  idle: "Off air", connecting: "Connecting", live: "On air", reconnecting: "Reconnecting", error: "Error",
};

function first(status, ...keys) {
  for (const key of keys) if (status[key] !== undefined && status[key] !== null) return status[key];
  return null;
}

/** "6.0 Mb/s" for bits per second. */
export function formatBps(bps) {
  if (typeof bps !== "number" || !Number.isFinite(bps)) return "—";
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mb/s`;
  return `${Math.round(bps / 1000)} kb/s`;
}

/** Sum of a numeric field over the status's outputs (each output reports its own). */
function sumOutputs(status, key) {
  const outputs = Array.isArray(status.outputs) ? status.outputs : [];
  const values = outputs.map((o) => o[key]).filter((v) => typeof v === "number");
  return values.length ? values.reduce((a, b) => a + b, 0) : null;
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
    this.lastBytes = null; // [bytes sent, ms] at the start of the bitrate window
    this.measured = null; // the last measured bitrate, shown until the next window closes
    this.errorFromStatus = false; // the error line shows the status's problem, not a refusal
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
    setTimeout(() => this.poll(), document.hidden ? 16 * POLL_MS : POLL_MS);
  }

  async act(path, body) {
    this.error.hidden = true;
    this.errorFromStatus = false;
    this.startButton.disabled = true;
    this.stopButton.disabled = true;
    try {
      this.render(await this.api.post(path, body));
    } catch (error) {
      this.error.textContent = error.path ? `${error.path}: ${error.message}` : error.message;
      this.error.hidden = false;
      this.errorFromStatus = false;
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

  /** Measured from the bytes the outputs sent while live (over a window of at least a second);
   *  the configured target otherwise. */
  bitrate(status, state) {
    const bytes = sumOutputs(status, "bytes_sent");
    const now = performance.now();
    const last = this.lastBytes;
    if (state !== "live" || bytes === null) {
      this.lastBytes = bytes === null ? null : [bytes, now];
      this.measured = null;
    } else if (!last || bytes < last[0]) {
      this.lastBytes = [bytes, now]; // a new stream: start the window again
    } else if (now - last[1] >= BITRATE_WINDOW_MS) {
      this.measured = formatBps(((bytes - last[0]) * 8 * 1000) / (now - last[1]));
      this.lastBytes = [bytes, now];
    }
    const cell = this.cells.bitrate;
    if (this.measured) {
      cell.dataset.source = "measured";
      cell.title = "measured from the bytes sent";
      return this.measured;
    }
    const target = first(status, "bitrate_bps", "bitrate");
    cell.dataset.source = "target";
    cell.title = "the encoder's configured target (measured once live)";
    return typeof target === "number" ? formatBps(target) : "—";
  }

  render(status) {
    this.status = status;
    const state = status ? String(status.state ?? "idle") : "unknown";
    this.badge.dataset.state = state;
    this.badge.textContent = status ? state : "unknown";
    const c = this.cells;
    const number = (v, digits = 0) => (typeof v === "number" ? v.toFixed(digits) : "—");
    c.url.textContent = status?.url ?? "—";
    c.url.title = status?.url ?? "";
    c.fps.textContent = status ? number(first(status, "fps"), 1) : "—";
    c.bitrate.textContent = status ? this.bitrate(status, state) : "—";
    c.frames.textContent = status ? number(first(status, "frames")) : "—";
    c.dropped.textContent = status ? number(first(status, "dropped", "dropped_frames")) : "—";
    c.reconnects.textContent = status ? number(first(status, "reconnects") ?? sumOutputs(status, "reconnects")) : "—";
    c.encoder.textContent = status ? String(first(status, "encoder") ?? "—") : "—";
    c.dropped.classList.toggle("warn", Boolean(status && first(status, "dropped", "dropped_frames") > 0));
    const problem = status ? first(status, "error", "last_error") ??
      (status.outputs ?? []).map((o) => o.last_error).find(Boolean) ?? null : null;
    // The output's own trouble (refused connection, lost server) shows while it lasts.
    if (problem && (state === "error" || state === "reconnecting")) {
      this.error.textContent = `${state}: ${problem}`;
      this.error.hidden = false;
      this.errorFromStatus = true;
    } else if (this.errorFromStatus) {
      this.error.hidden = true;
      this.errorFromStatus = false;
    }
    this.dispatchEvent(new CustomEvent("status", {
      detail: { state, label: STATE_LABEL[state] ?? state, status },
    }));
  }
}
