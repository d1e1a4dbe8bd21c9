// What an operator can do to layers, as commits: add (colour, text, image, video, audio),
// duplicate, remove (after a confirmation), show/hide, rename, reorder (z), nudge; and for clips
// play from the start and fade the volume. The list, the preview, the keyboard, the asset cards
// and the property panel all act through here.

import { drawsBox } from "./geometry.js";
import { fpsNumber, stackOrder } from "./state.js";

/** A volume change is a tween of this length (the server animates "content.volume"), so a move
 *  of the fader is heard as a short fade, never as a click. */
export const FADE_S = 0.2;

const ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

/** A fresh layer id; made here (ids are ours to choose, CONTRACT.md) so that the new layer can be
 *  selected and shown as soon as the commit returns. */
export function newId(kind) {
  const random = crypto.getRandomValues(new Uint8Array(6));
  return `${kind}-${Array.from(random, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join("")}`;
}

/** Every field of a layer with the contract's defaults, so the local copy matches the server's. */
export function fullLayer({ id, kind, name, content, transform = {}, z = 0 }) {
  return {
    id, name, kind, content,
    transform: {
      x: 0, y: 0, width: null, height: null, anchor_x: 0, anchor_y: 0,
      scale_x: 1, scale_y: 1, rotation_deg: 0, ...transform,
    },
    crop: { left: 0, top: 0, right: 0, bottom: 0 },
    opacity: 1, blend: "normal", visible: true, z,
  };
}

function nextName(layers, base) {
  const taken = new Set(layers.map((l) => l.name));
  for (let n = 1; ; n++) if (!taken.has(`${base} ${n}`)) return `${base} ${n}`;
}

export class Actions {
  constructor({ state, editor, confirm, notify }) {
    this.state = state;
    this.editor = editor;
    this.confirm = confirm;
    this.notify = notify;
  }

  topZ() {
    const layers = this.state.scene?.layers ?? [];
    return layers.length ? Math.max(...layers.map((l) => l.z ?? 0)) + 1 : 0;
  }

  async add(kind, content, transform) {
    const scene = this.state.scene;
    if (!scene) return null;
    const base = { color: "Colour", text: "Text", image: "Image", video: "Video", audio: "Audio" }[kind];
    const layer = fullLayer({
      id: newId(kind), kind, name: nextName(scene.layers, base), content, transform, z: this.topZ(),
    });
    const result = await this.editor.commit([{ op: "add", layer }]);
    if (result.ok) this.state.select(layer.id);
    return result.ok ? layer.id : null;
  }

  addColor() {
    const { width: w, height: h } = this.state.scene;
    return this.add("color", { color: "#2563EBFF" }, {
      x: Math.round(w * 0.1), y: Math.round(h * 0.1),
      width: Math.round(w * 0.3), height: Math.round(h * 0.2),
    });
  }

  addText(text = "New text") {
    const { width: w, height: h } = this.state.scene;
    return this.add("text", {
      text, font: "sans", size_px: Math.max(8, Math.round(h / 15)), color: "#FFFFFFFF",
      align: "left", max_width_px: null,
    }, { x: Math.round(w * 0.08), y: Math.round(h * 0.72) });
  }

  /** A transform that centres the asset, shrunk to fit when bigger than the canvas. */
  centred(asset) {
    const { width: w, height: h } = this.state.scene;
    const fit = asset.width && asset.height ? Math.min(1, (w * 0.9) / asset.width, (h * 0.9) / asset.height) : 1;
    const scale = Math.round(fit * 1000) / 1000;
    return {
      x: Math.round(w / 2), y: Math.round(h / 2), anchor_x: 0.5, anchor_y: 0.5,
      scale_x: scale, scale_y: scale,
    };
  }

  addImage(asset) {
    return this.add("image", { asset: asset.id }, this.centred(asset));
  }

  /** A clip layer playing from the frame its commit lands on (no start_frame: the server writes
   *  that frame into the layer), once, holding its last frame, at full volume. */
  addClip(asset) {
    const content = {
      asset: asset.id, loop: false, in_s: 0, out_s: null, on_end: "hold", volume: 1, muted: false,
    };
    if (asset.kind === "audio") return this.add("audio", content);
    return this.add("video", content, this.centred(asset));
  }

  /** The layer an asset card's "Add" makes: an image, a video or an audio layer. */
  addAsset(asset) {
    return asset.kind === "image" ? this.addImage(asset) : this.addClip(asset);
  }

  /** Play a clip layer again from its in point, on the frame this commit lands on (a null
   *  start_frame is replaced by that frame on the server). */
  restart(id) {
    return this.update(id, { content: { start_frame: null } });
  }

  /** The tween of a volume change: FADE_S long at the scene's frame rate. */
  fade() {
    return { duration_frames: Math.max(1, Math.round(FADE_S * fpsNumber(this.state.scene?.fps))), easing: "linear" };
  }

  /** Set a clip layer's volume (0..2) as a short fade from wherever it is now. */
  setVolume(id, volume) {
    return this.editor.commit([{ op: "update", id, patch: { content: { volume } }, animate: this.fade() }]);
  }

  async duplicate(id) {
    const layer = this.state.layer(id);
    if (!layer) return null;
    const copy = structuredClone(layer);
    copy.id = newId(layer.kind);
    copy.name = `${layer.name || layer.id} copy`.slice(0, 256);
    copy.z = this.topZ();
    const t = copy.transform ?? {};
    copy.transform = { ...t, x: (t.x ?? 0) + 20, y: (t.y ?? 0) + 20 };
    const result = await this.editor.commit([{ op: "add", layer: copy }]);
    if (result.ok) this.state.select(copy.id);
    return result.ok ? copy.id : null;
  }

  async remove(id) {
    const layer = this.state.layer(id);
    if (!layer) return false;
    const ok = await this.confirm(`Delete the layer “${layer.name || layer.id}”? It leaves the program at once.`, "Delete");
    if (!ok) return false;
    const result = await this.editor.commit([{ op: "remove", id }]);
    if (result.ok && this.state.selectedId === id) this.state.select(null);
    return result.ok;
  }

  update(id, patch) {
    return this.editor.commit([{ op: "update", id, patch }]);
  }

  toggleVisible(id) {
    const layer = this.state.layer(id);
    return layer ? this.update(id, { visible: layer.visible === false }) : null;
  }

  rename(id, name) {
    return this.update(id, { name: name.trim() ? name.trim() : null });
  }

  nudge(id, dx, dy) {
    const layer = this.state.shownLayer(id);
    if (!layer || !drawsBox(layer)) return; // sound only: nothing to move
    const t = layer.transform ?? {};
    this.editor.stream(id, { transform: { x: (t.x ?? 0) + dx, y: (t.y ?? 0) + dy } });
  }

  /** Put the layers in `topFirst` order (ids, top of the stack first): one commit that gives each
   *  layer whose z must change its new z, so every change appears on the same frame. */
  reorder(topFirst) {
    const n = topFirst.length;
    const ops = [];
    topFirst.forEach((id, i) => {
      const layer = this.state.layer(id);
      const z = n - 1 - i;
      if (layer && (layer.z ?? 0) !== z) ops.push({ op: "update", id, patch: { z } });
    });
    // Equal z values tie-break by creation order, so a reorder that only swaps ties still needs
    // distinct z values: the loop above gives every layer its own.
    return ops.length ? this.editor.commit(ops) : Promise.resolve({ ok: true });
  }

  /** Move a layer `delta` places up (+) or down (-) the stack. */
  move(id, delta) {
    const order = stackOrder(this.state.scene?.layers ?? []).map((l) => l.id);
    const from = order.indexOf(id);
    const to = Math.max(0, Math.min(order.length - 1, from - delta));
    if (from < 0 || from === to) return null;
    order.splice(to, 0, order.splice(from, 1)[0]);
    return this.reorder(order);
  }
}
