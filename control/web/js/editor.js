// Every change the operator makes goes through here: one POST /api/v1/commits at a time, each
// with if_version = the version the operator was looking at, so a change made meanwhile by
// someone else is never overwritten silently.
//
// A 409 means "the scene moved on". The page reloads it and looks at the layers its ops touch:
// when someone else changed one of them, that is a real conflict: the change is dropped, the
// operator is told, and the page shows the other version. When only other layers changed (the
// demo clock ticks every second; a colleague works on another layer), nothing of the operator's
// would be overwritten, so the same ops are sent again on the new version (at most MAX_REBASES).
//
// Continuous edits (dragging, nudging, sliders) are "streamed": the layer shows the new value at
// once (a State override) and the patches are merged while a commit is in flight, so the server
// sees at most one commit per STREAM_INTERVAL_MS per layer, however fast the pointer moves.

import { SERVER_ONLY_FIELDS, mergePatch, serverCompletes } from "./state.js";

const STREAM_INTERVAL_MS = 60;
const MAX_REBASES = 3;

/** JSON equality where a missing member equals null (the server writes nulls, merge patches
 *  delete members). */
export function sameJson(a, b) {
  if (a === b || (a == null && b == null)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (!sameJson(a[key], b[key])) return false;
  return true;
}

/** Whether any layer that `ops` touch differs between two scenes (or exists in one only). The
 *  members only the server writes (running tweens) are not anyone's edit: left out. */
export function touchedChanged(before, after, ops) {
  const find = (scene, id) => {
    const layer = scene?.layers.find((l) => l.id === id) ?? null;
    if (!layer) return null;
    const edited = { ...layer };
    for (const key of SERVER_ONLY_FIELDS) delete edited[key];
    return edited;
  };
  return ops.some((op) => {
    const id = op.op === "add" ? op.layer?.id : op.id;
    return !sameJson(find(before, id), find(after, id));
  });
}

/** "ops[0].patch.transform.x" -> {op: 0, field: "transform.x"}; plain "opacity" -> field only. */
export function fieldOfPath(path) {
  const match = /^ops\[(\d+)\](?:\.(?:patch|layer))?\.?(.*)$/.exec(path || "");
  if (match) return { op: Number(match[1]), field: match[2] };
  return { op: null, field: path || "" };
}

export class Editor extends EventTarget {
  /**
   * @param {import("./api.js").Api} api
   * @param {import("./state.js").State} state
   * @param {(message: string, kind?: string) => void} notify
   */
  constructor(api, state, notify) {
    super();
    this.api = api;
    this.state = state;
    this.notify = notify;
    this.chain = Promise.resolve();
    this.pending = new Map(); // layer id -> merged patch not yet sent
    this.inFlight = new Set(); // layer ids with a streamed commit on the wire
    this.pumping = false;
    this.refetching = null;
    this.lastConflictNotice = 0;
  }

  /** Commit ops all or nothing. Resolves {ok: true, version} or {ok: false, error}; errors are
   *  also reported (a "fielderror" event for validation errors, a notice for the rest). */
  commit(ops) {
    const run = this.chain.then(() => this.send(ops));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async send(ops) {
    for (let attempt = 0; ; attempt++) {
      const base = this.state.scene; // what the operator saw when making the change
      try {
        const body = { ops };
        if (base) body.if_version = base.version;
        const result = await this.api.post("/commits", body);
        if (this.state.applyCommit(result.version, ops) === "gap" || serverCompletes(ops)) this.refetch();
        this.dispatchEvent(new CustomEvent("committed", { detail: { ops } }));
        return { ok: true, version: result.version };
      } catch (error) {
        if (error.isConflict) {
          await this.refetch();
          if (attempt < MAX_REBASES && this.state.scene && !touchedChanged(base, this.state.scene, ops)) {
            continue; // only other layers changed: nothing of the operator's is overwritten
          }
        }
        this.report(error, ops);
        return { ok: false, error };
      }
    }
  }

  report(error, ops) {
    if (error.isConflict) {
      // Fields being typed in keep their text through ordinary updates; after a conflict they
      // must show the other version (the scene was reloaded before this report).
      this.dispatchEvent(new CustomEvent("conflict"));
      const now = Date.now();
      if (now - this.lastConflictNotice > 1500) {
        this.lastConflictNotice = now;
        const at = error.version !== null ? ` (now at version ${error.version})` : "";
        this.notify(`This layer was changed by someone else${at}. Your change was not applied: ` +
          "the page now shows their version.", "warning");
      }
      return;
    }
    const { op, field } = fieldOfPath(error.path);
    const target = op !== null && ops[op] ? ops[op].id ?? ops[op].layer?.id ?? null : null;
    if (error.status === 422 || error.status === 400 || error.code === "validation_error") {
      this.dispatchEvent(new CustomEvent("fielderror", {
        detail: { layerId: target, field, message: error.message, path: error.path },
      }));
      return;
    }
    if (error.status === 404) this.refetch();
    this.notify(error.isOffline ? "Offline: the change was not sent." : error.message, "error");
  }

  /** Show `patch` on the layer now and send it soon, merged with any that follow. With `animate`
   *  (a fader riding a volume) each commit is a tween from wherever the value is to the new one;
   *  such patches are merged apart from plain ones, so a drag never becomes a tween. */
  stream(layerId, patch, animate = null) {
    this.state.setOverride(layerId, patch);
    const key = animate ? `${layerId}\u0000animated` : layerId;
    const pending = this.pending.get(key);
    this.pending.set(key, {
      layerId, animate, patch: pending ? mergePatch(pending.patch, patch) : patch,
    });
    if (!this.pumping) this.pump();
  }

  hasPending(layerId) {
    return [...this.pending.values()].some((entry) => entry.layerId === layerId);
  }

  async pump() {
    this.pumping = true;
    try {
      while (this.pending.size > 0) {
        const [key, { layerId, patch, animate }] = this.pending.entries().next().value;
        this.pending.delete(key);
        this.inFlight.add(layerId);
        const started = performance.now();
        const op = { op: "update", id: layerId, patch };
        if (animate) op.animate = animate;
        const result = await this.commit([op]);
        this.inFlight.delete(layerId);
        if (!result.ok) this.pending.delete(key); // a refused drag is dropped, not retried
        if (!this.hasPending(layerId)) this.state.clearOverride(layerId);
        const wait = STREAM_INTERVAL_MS - (performance.now() - started);
        if (wait > 0 && this.pending.size > 0) await new Promise((r) => setTimeout(r, wait));
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Resolves when every streamed patch has been committed (or refused). */
  async settle() {
    while (this.pumping || this.pending.size > 0) await new Promise((r) => setTimeout(r, 20));
    await this.chain;
  }

  /** Replace the scene with the server's (after a conflict or a gap); concurrent calls share one
   *  request. */
  refetch() {
    if (this.refetching) return this.refetching;
    this.refetching = (async () => {
      try {
        this.state.setScene(await this.api.get("/scene"));
      } catch (error) {
        if (!error.isOffline) this.notify(`Could not reload the scene: ${error.message}`, "error");
      } finally {
        this.refetching = null;
      }
    })();
    return this.refetching;
  }
}
