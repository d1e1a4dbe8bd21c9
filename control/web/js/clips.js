// The transport of a clip layer (video or audio), at the top of its property panel: play from
// the start, loop and mute toggles, and where the clip is now ("3.2 s of 10.0 s · 6.8 s left").
// The trim (in/out), the end behaviour and the volume fader are ordinary property fields.
//
// Where the clip is comes from the layer's start_frame on the house clock (frame F starts F / fps
// seconds after the Unix epoch, docs/api.md) read with this browser's clock: a display for the
// operator, as exact as the two clocks agree. What goes on air is decided by the server alone.

import { formatSeconds, h, icon } from "./dom.js";
import { fpsNumber } from "./state.js";

const TICK_MS = 250;

/** Where a clip layer is at `nowMs` (Unix ms): {state: "waiting"|"playing"|"looping"|"ended",
 *  elapsed, length} in seconds of media time; null when the page cannot tell (no start frame yet,
 *  unknown clip length). */
export function clipPosition(content, durationS, fps, nowMs) {
  if (typeof content.start_frame !== "number" || typeof durationS !== "number") return null;
  const inS = content.in_s ?? 0;
  const outS = Math.min(content.out_s ?? durationS, durationS);
  const length = Math.max(0, outS - inS);
  const t = (nowMs / 1000) - content.start_frame / fps;
  if (t < 0) return { state: "waiting", elapsed: t, length };
  if (content.loop && length > 0) return { state: "looping", elapsed: t % length, length };
  if (t >= length) return { state: "ended", elapsed: length, length };
  return { state: "playing", elapsed: t, length };
}

/** The operator's words for a position (`onEnd` null: sound, which has no picture to hold). */
export function describePosition(position, onEnd) {
  if (!position) return "starting…";
  const of = `${formatSeconds(position.elapsed)} of ${formatSeconds(position.length)}`;
  switch (position.state) {
    case "waiting": return `starts in ${formatSeconds(-position.elapsed)}`;
    case "looping": return `looping · ${of}`;
    case "ended":
      if (onEnd === null) return "ended";
      return onEnd === "hide" ? "ended · hidden" : "ended · holding the last frame";
    default: return `${of} · ${formatSeconds(position.length - position.elapsed)} left`;
  }
}

export class ClipBar {
  constructor({ state, actions }) {
    this.state = state;
    this.actions = actions;
    this.timer = null;
    this.layerId = null;
    this.node = null;
  }

  /** The bar for a clip layer (a new element each time the panel is built); a live input has
   *  nothing to restart or loop: mute only. */
  build(layer) {
    this.stop();
    this.layerId = layer.id;
    this.live = layer.content?.input != null;
    const toggle = (role, name, label, onclick) => h("button", {
      type: "button", class: "btn btn-small clip-toggle", "data-role": role, "aria-pressed": "false",
      title: label, onclick,
    }, icon(name), label);
    this.buttons = {
      restart: h("button", {
        type: "button", class: "btn btn-small btn-primary", "data-role": "restart",
        title: "Play the clip again from its in point, from the next frame",
        onclick: () => this.actions.restart(layer.id),
      }, icon("restart"), "Play from start"),
      loop: toggle("loop", "loop", "Loop", () => this.flip("loop")),
      muted: toggle("mute", "mute", "Mute", () => this.flip("muted")),
    };
    this.position = h("div", { class: "clip-position mono", "aria-live": "off" });
    this.facts = h("div", { class: "clip-facts muted small" });
    const buttons = this.live ? [this.buttons.muted]
      : [this.buttons.restart, this.buttons.loop, this.buttons.muted];
    this.node = h("div", { class: "clip-bar", role: "group", "aria-label": "Clip transport" },
      h("div", { class: "clip-buttons" }, ...buttons), this.live ? null : this.position, this.facts);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    return this.node;
  }

  /** No clip layer is shown any more: stop the clock. */
  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.layerId = null;
  }

  flip(key) {
    const layer = this.state.shownLayer(this.layerId);
    if (!layer) return;
    this.actions.update(layer.id, { content: { [key]: !(layer.content?.[key] === true) } });
  }

  fill(layer) {
    if (!this.node || layer.id !== this.layerId) return;
    const content = layer.content ?? {};
    this.buttons.loop.setAttribute("aria-pressed", String(content.loop === true));
    this.buttons.muted.setAttribute("aria-pressed", String(content.muted === true));
    this.node.classList.toggle("is-muted", content.muted === true);
    const asset = this.state.asset(content.asset);
    const facts = this.live ? [`live input ${content.input}`]
      : asset ? [formatSeconds(asset.duration_s)] : ["clip not in the asset list"];
    if (asset?.kind === "video") {
      facts.push(`${asset.width}×${asset.height}`, `${Number((asset.fps ?? 0).toFixed(2))} fps`,
        asset.has_audio ? "with sound" : "no sound");
    }
    this.facts.textContent = facts.join(" · ");
    this.tick();
  }

  tick() {
    const layer = this.layerId ? this.state.shownLayer(this.layerId) : null;
    if (!layer || !this.node?.isConnected) {
      this.stop();
      return;
    }
    if (this.live) return;
    const content = layer.content ?? {};
    const asset = this.state.asset(content.asset);
    const fps = fpsNumber(this.state.scene?.fps);
    const position = clipPosition(content, asset?.duration_s, fps, Date.now());
    const onEnd = layer.kind === "audio" ? null : content.on_end;
    this.position.textContent = describePosition(position, onEnd);
    this.position.dataset.state = position?.state ?? "unknown";
  }
}
