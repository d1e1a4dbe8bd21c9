// The page's copy of the scene: the last known server version, the selection, the asset list and
// short-lived "overrides" (a layer being dragged shows where it goes before the server confirms).
//
// The scene only ever changes to what the server said: a full scene (GET /scene, WS hello) or a
// commit's ops applied at exactly the next version. Anything else (a gap) asks for a refetch.

/** RFC 7396 JSON merge patch: a new value; the inputs are left alone. */
export function mergePatch(target, patch) {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return structuredClone(patch);
  const result = target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** A patch that sets one dotted path, e.g. ("transform.x", 5) -> {transform: {x: 5}}. */
export function patchAt(path, value) {
  const keys = path.split(".");
  const patch = {};
  let node = patch;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = value;
    else node = node[key] = {};
  });
  return patch;
}

/** The value at a dotted path of an object, or undefined. */
export function valueAt(object, path) {
  let node = object;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = node[key];
  }
  return node;
}

/** Apply commit ops (CONTRACT.md) to a scene's layers; returns new layers or null when an op
 *  does not fit (unknown id, duplicate add): then the caller refetches instead of guessing. */
export function applyOps(layers, ops) {
  const next = layers.slice();
  for (const op of ops) {
    const index = op.id !== undefined ? next.findIndex((l) => l.id === op.id) : -1;
    if (op.op === "add") {
      if (!op.layer || next.some((l) => l.id === op.layer.id)) return null;
      next.push(op.layer);
    } else if (op.op === "remove") {
      if (index < 0) return null;
      next.splice(index, 1);
    } else if (op.op === "update") {
      if (index < 0) return null;
      next[index] = { ...mergePatch(next[index], op.patch), id: op.id };
    } else {
      return null;
    }
  }
  return next;
}

/** Layer members only the server writes (compositor.scene.codec.RUNTIME_LAYER_FIELDS: running
 *  tweens, transitions): the page never sends them and does not count them as someone's edit. */
export const SERVER_ONLY_FIELDS = ["tweens", "entering", "leaving"];

/** Whether the server may complete these ops with a value the page cannot know: a clip layer
 *  added without a start frame, or one restarted (start_frame null) or changed in a way that
 *  restarts it (asset, in_s, loop: compositor/scene/animation/clips.py has the exact rule), plays
 *  from the frame its commit lands on, which the server writes into the layer. After such ops the
 *  page reloads the scene to have that frame (its local copy must match the server's); reloading
 *  when nothing restarted costs one GET. */
export function serverCompletes(ops) {
  return ops.some((op) => {
    if (op.op === "add") {
      const layer = op.layer ?? {};
      return (layer.kind === "video" || layer.kind === "audio") && layer.content?.start_frame == null;
    }
    const content = op.op === "update" ? op.patch?.content : null;
    return Boolean(content && typeof content === "object" &&
      ["start_frame", "asset", "in_s", "loop"].some((key) => key in content));
  });
}

/** A scene's frame rate as a number: 30, or "30000/1001" -> 29.97.... */
export function fpsNumber(fps) {
  if (typeof fps === "string" && fps.includes("/")) {
    const [n, d] = fps.split("/").map(Number);
    return d ? n / d : 30;
  }
  const value = Number(fps);
  return Number.isFinite(value) && value > 0 ? value : 30;
}

/** Layers in list order: top of the stack first (high z first; on ties the later-created one,
 *  which draws on top). */
export function stackOrder(layers) {
  return layers
    .map((layer, index) => ({ layer, index }))
    .sort((a, b) => (b.layer.z ?? 0) - (a.layer.z ?? 0) || b.index - a.index)
    .map((entry) => entry.layer);
}

export class State extends EventTarget {
  constructor() {
    super();
    this.scene = null; // the server's scene JSON at `version`
    this.selectedId = null;
    this.assets = []; // GET /assets items
    this.limits = null; // GET /limits: bounds, choices and builtin fonts of layer fields
    this.overrides = new Map(); // layer id -> merge patch shown on top of the scene
  }

  get version() {
    return this.scene ? this.scene.version : -1;
  }

  emit(what) {
    this.dispatchEvent(new CustomEvent("change", { detail: { what } }));
  }

  setScene(scene) {
    this.scene = scene;
    if (this.selectedId && !this.layer(this.selectedId)) this.selectedId = null;
    this.emit("scene");
  }

  /** Apply a commit that produced `version`. Returns "applied", "stale" (already have it) or
   *  "gap" (a version is missing or the ops do not fit: refetch). */
  applyCommit(version, ops) {
    if (!this.scene) return "gap";
    if (version <= this.scene.version) return "stale";
    if (version !== this.scene.version + 1) return "gap";
    const layers = applyOps(this.scene.layers, ops);
    if (!layers) return "gap";
    this.setScene({ ...this.scene, version, layers });
    return "applied";
  }

  /** The layer as the server has it. */
  layer(id) {
    return this.scene ? this.scene.layers.find((l) => l.id === id) ?? null : null;
  }

  /** The layer as shown: the server's with any pending override merged in. */
  shownLayer(id) {
    const layer = this.layer(id);
    if (!layer) return null;
    const override = this.overrides.get(id);
    return override ? mergePatch(layer, override) : layer;
  }

  shownLayers() {
    return this.scene ? this.scene.layers.map((l) => this.shownLayer(l.id)) : [];
  }

  setOverride(id, patch) {
    const current = this.overrides.get(id);
    this.overrides.set(id, current ? mergePatch(current, patch) : patch);
    this.emit("override");
  }

  clearOverride(id) {
    if (this.overrides.delete(id)) this.emit("override");
  }

  select(id) {
    if (id === this.selectedId) return;
    this.selectedId = id && this.layer(id) ? id : null;
    this.emit("selection");
  }

  setLimits(limits) {
    this.limits = limits;
    this.emit("limits");
  }

  setAssets(assets) {
    this.assets = assets;
    this.emit("assets");
  }

  asset(id) {
    return this.assets.find((a) => a.id === id) ?? null;
  }
}
