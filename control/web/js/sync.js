// Live sync over the WebSocket (/api/v1/ws): the hello's scene, then every scene.changed applied
// at exactly the next version. A lost connection shows "offline" and reconnects with exponential
// backoff (0.5 s doubling to 8 s, with jitter), resuming with ?since=<last version> so only the
// missed changes come back (a "resumed" message, then those scene.changed; or a whole hello). A version gap or an op that does not fit triggers a full refetch.

import { API_BASE } from "./api.js";
import { serverCompletes } from "./state.js";

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 8000;
const PING_EVERY_MS = 15000;
const PING_TIMEOUT_MS = 10000;

export class Sync extends EventTarget {
  /**
   * @param {import("./state.js").State} state
   * @param {import("./auth.js").Auth} auth
   * @param {import("./editor.js").Editor} editor used for refetches
   * @param {() => Promise<void>} probe an HTTP call that makes a 401 ask for the token
   */
  constructor(state, auth, editor, probe) {
    super();
    this.state = state;
    this.auth = auth;
    this.editor = editor;
    this.probe = probe;
    this.socket = null;
    this.status = "connecting";
    this.backoff = BACKOFF_MIN_MS;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pingSent = 0;
    this.pingSeq = 0;
    this.retryAt = 0;
    this.started = false;
    auth.onChange(() => {
      if (this.started) this.reconnectNow();
    });
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.dispatchEvent(new CustomEvent("status", { detail: { status } }));
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const params = new URLSearchParams();
    if (this.state.scene) params.set("since", String(this.state.version));
    const token = this.auth.token();
    if (token) params.set("token", token);
    const query = params.toString();
    return `${scheme}//${location.host}${API_BASE}/ws${query ? `?${query}` : ""}`;
  }

  connect() {
    this.started = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const previous = this.socket;
    this.socket = null; // its close event is then ignored
    if (previous) previous.close(1000, "reconnecting");
    let opened = false;
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", () => {
      opened = true;
    });
    socket.addEventListener("message", (event) => {
      if (this.socket === socket) this.receive(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return; // replaced on purpose
      this.socket = null;
      clearInterval(this.pingTimer);
      this.setStatus("offline");
      // Closed before it ever opened: perhaps a 401 on the handshake, which a browser cannot
      // see. An HTTP call makes the API ask for the token if that is the reason.
      if (!opened || event.code === 1008 || event.code === 4401) this.probe().catch(() => {});
      this.scheduleRetry();
    });
  }

  scheduleRetry() {
    const delay = this.backoff * (0.8 + Math.random() * 0.4);
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Drop the current socket (if any) and connect again at once (a new token, a user click). */
  reconnectNow() {
    clearInterval(this.pingTimer);
    this.backoff = BACKOFF_MIN_MS;
    this.connect();
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return; // not ours to interpret
    }
    if (message.type === "hello") this.onHello(message);
    else if (message.type === "resumed") this.onResumed(message);
    else if (message.type === "scene.changed") this.onChanged(message);
    else if (message.type === "result" && String(message.id).startsWith("ping-")) this.pingSent = 0;
  }

  onHello(message) {
    this.backoff = BACKOFF_MIN_MS;
    if (message.scene) this.state.setScene({ ...message.scene, version: message.version });
    else this.editor.refetch();
    this.setStatus("online");
    this.startPing();
  }

  // ?since=N was honoured: the missed scene.changed messages follow, then live ones.
  onResumed(message) {
    this.backoff = BACKOFF_MIN_MS;
    if (typeof message.version === "number" && message.version < this.state.version) {
      this.editor.refetch(); // the server is behind us (a restored store): take its scene
    }
    this.setStatus("online");
    this.startPing();
  }

  onChanged(message) {
    if (this.status !== "online") this.setStatus("online");
    const ops = message.ops || [];
    const outcome = this.state.applyCommit(message.version, ops);
    // A gap; or a clip that the server started on the commit's frame, which the ops do not say.
    if (outcome === "gap" || (outcome === "applied" && serverCompletes(ops))) this.editor.refetch();
    this.dispatchEvent(new CustomEvent("changed", { detail: { version: message.version } }));
  }

  // A ping that gets no answer means a dead connection the browser has not noticed (a laptop
  // that slept, a proxy that dropped it): close it so the backoff loop takes over.
  startPing() {
    clearInterval(this.pingTimer);
    this.pingSent = 0;
    this.pingTimer = setInterval(() => {
      const socket = this.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      if (this.pingSent && Date.now() - this.pingSent > PING_TIMEOUT_MS) {
        socket.close(4000, "ping timeout");
        return;
      }
      this.pingSent = Date.now();
      socket.send(JSON.stringify({ type: "ping", id: `ping-${++this.pingSeq}` }));
    }, PING_EVERY_MS);
  }
}
