// The property panel of the selected layer: every field of the layer JSON (CONTRACT.md), each
// committed on change (Enter or leaving the field; sliders while they move). Validation errors
// from the server come back with a path ("ops[0].patch.opacity") and are shown under the field
// they concern. Values are what the server holds, except in a field being typed in or one whose
// rejected value is still on screen next to its error. Choices (fonts, align, blend) and the
// bounds of numbers come from the server (GET /limits, kept on State): the page copies none.

import { ClipBar } from "./clips.js";
import { formatSeconds, h } from "./dom.js";
import { patchAt, valueAt } from "./state.js";

const KIND_TITLE = { color: "Colour", text: "Text", image: "Image", video: "Video", audio: "Audio" };
// A select of assets lists those of one kind; the other selects take the limits' choices.
const ASSET_CHOICES = { images: "image", videos: "video", sounds: "audio" };
// Every change of the volume is a short fade (Actions.fade), by the slider or typed.
const VOLUME = ["content.volume", "Volume", "range", { step: 0.01, fade: true }];
const TRIM = [
  ["content.in_s", "In (s)", "number", { step: 0.1 }],
  ["content.out_s", "Out (s)", "optnumber", { step: 0.1, placeholder: "clip end" }],
];

// [path, label, type, options]; types: text, textarea, number, optnumber (blank = null),
// integer, checkbox, select, color, range. A select's choices are "images", "videos", "sounds",
// "fonts" or the name of a list in the limits' choices; numbers take min and max from the limits'
// numbers.
const SECTIONS = {
  layer: [
    ["name", "Name", "text", { placeholder: "(no name)", nullable: true }],
    ["z", "Z order", "integer", { step: 1 }],
    ["visible", "Visible", "checkbox"],
  ],
  color: [["content.color", "Colour", "color"]],
  image: [["content.asset", "Image", "select", { choices: "images" }]],
  video: [
    ["content.asset", "Clip", "select", { choices: "videos" }], ...TRIM,
    ["content.on_end", "At the end", "select", { choices: "on_end" }], VOLUME,
  ],
  // Sound has no last frame to hold: its end needs no choice (on_end stays as it is).
  audio: [["content.asset", "Sound", "select", { choices: "sounds" }], ...TRIM, VOLUME],
  // A video layer showing a live input (content.input) rather than a clip: no trim, no end.
  input: [["content.input", "Input id", "text"], VOLUME],
  text: [
    ["content.text", "Text", "textarea"],
    ["content.font", "Font", "select", { choices: "fonts" }],
    ["content.size_px", "Size (px)", "number", { step: 1 }],
    ["content.color", "Colour", "color"],
    ["content.align", "Align", "select", { choices: "align" }],
    ["content.max_width_px", "Max width (px)", "optnumber", { step: 1, placeholder: "none" }],
  ],
  transform: [
    ["transform.x", "X (px)", "number", { step: 1 }],
    ["transform.y", "Y (px)", "number", { step: 1 }],
    ["transform.width", "Width (px)", "optnumber", { step: 1, placeholder: "auto" }],
    ["transform.height", "Height (px)", "optnumber", { step: 1, placeholder: "auto" }],
    ["transform.anchor_x", "Anchor X", "number", { step: 0.05 }],
    ["transform.anchor_y", "Anchor Y", "number", { step: 0.05 }],
    ["transform.scale_x", "Scale X", "number", { step: 0.05 }],
    ["transform.scale_y", "Scale Y", "number", { step: 0.05 }],
    ["transform.rotation_deg", "Rotation (°)", "number", { step: 1 }],
  ],
  crop: [
    ["crop.left", "Left", "number", { step: 0.01 }],
    ["crop.top", "Top", "number", { step: 0.01 }],
    ["crop.right", "Right", "number", { step: 0.01 }],
    ["crop.bottom", "Bottom", "number", { step: 0.01 }],
  ],
  compositing: [
    ["opacity", "Opacity", "range", { step: 0.01 }],
    ["blend", "Blend", "select", { choices: "blend" }],
  ],
};

/** Which fields a layer's content has: its kind, or "input" for a video layer that shows a live
 *  input instead of a clip. */
function contentKind(layer) {
  return layer.kind === "video" && layer.content?.input != null ? "input" : layer.kind;
}

function fieldId(path) {
  return `prop-${path.replace(/\./g, "-")}`;
}

export class Properties {
  constructor({ state, editor, actions, notify, root }) {
    this.state = state;
    this.editor = editor;
    this.actions = actions;
    this.notify = notify;
    this.root = root.querySelector("#props");
    this.shape = null; // what the panel was built for: id, kind, asset list
    this.fields = new Map(); // path -> {input, error, type, extra}
    this.errors = new Map(); // path -> message shown
    this.clipBar = new ClipBar({ state, actions });
    state.addEventListener("change", (e) => this.refresh(e.detail.what));
    editor.addEventListener("fielderror", (e) => this.showError(e.detail));
    editor.addEventListener("conflict", () => {
      for (const path of [...this.errors.keys()]) this.setError(path, null);
      const layer = this.state.selectedId ? this.state.shownLayer(this.state.selectedId) : null;
      if (layer) this.fill(layer, { force: true });
    });
  }

  refresh() {
    const layer = this.state.selectedId ? this.state.shownLayer(this.state.selectedId) : null;
    const assets = this.state.assets.map((a) => a.id).join(",");
    const shape = layer
      ? `${layer.id}|${contentKind(layer)}|${assets}|${Boolean(this.state.limits)}` : null;
    if (shape !== this.shape) {
      if (!layer || !this.shape || !this.shape.startsWith(`${layer.id}|`)) this.errors.clear();
      this.shape = shape;
      this.build(layer);
    }
    if (layer) {
      this.fill(layer);
      this.clipBar.fill(layer);
    }
  }

  build(layer) {
    this.fields.clear();
    this.clipBar.stop();
    if (!layer) {
      this.root.replaceChildren(h("p", { class: "empty-hint" }, "Select a layer in the list or on the preview."));
      return;
    }
    const title = KIND_TITLE[layer.kind] ?? layer.kind;
    const clip = layer.kind === "video" || layer.kind === "audio";
    const drawn = layer.kind !== "audio"; // sound only: no box, nothing to composite
    this.root.replaceChildren(...[
      h("div", { class: "props-head" },
        h("div", {}, h("div", { class: "props-kind" }, `${title} layer`),
          h("code", { class: "props-id", title: "Layer id" }, layer.id)),
        h("div", { class: "props-head-actions" },
          h("button", { type: "button", class: "btn btn-small", onclick: () => this.actions.duplicate(layer.id) }, "Duplicate"),
          h("button", { type: "button", class: "btn btn-small btn-danger-ghost", onclick: () => this.actions.remove(layer.id) }, "Delete"))),
      h("p", { class: "props-error", id: "props-error", role: "alert", hidden: true }),
      clip ? this.clipBar.build(layer) : null,
      this.section("Layer", SECTIONS.layer, "grid"),
      this.section(clip ? "Clip" : "Content", SECTIONS[contentKind(layer)] ?? [], clip ? "grid clip-fields" : ""),
      drawn ? this.section("Transform", SECTIONS.transform, "grid") : null,
      drawn ? this.section("Crop (fraction cut away)", SECTIONS.crop, "grid") : null,
      drawn ? this.section("Compositing", SECTIONS.compositing) : null,
    ].filter(Boolean));
  }

  section(title, specs, layout = "") {
    return h("fieldset", { class: `props-section ${layout}` },
      h("legend", {}, title),
      ...specs.map(([path, label, type, options = {}]) => this.field(path, label, type, options)));
  }

  field(path, label, type, options) {
    const id = fieldId(path);
    const error = h("div", { class: "field-error", id: `${id}-error`, role: "alert" });
    let input;
    let extra = null;
    const common = { id, name: path, "aria-describedby": `${id}-error`, dataset: { path } };
    const bounds = this.state.limits?.numbers[path] ?? {};
    if (type === "textarea") {
      input = h("textarea", { ...common, rows: 2, onchange: () => this.commit(path) });
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) input.blur();
      });
    } else if (type === "checkbox") {
      input = h("input", { ...common, type: "checkbox", onchange: () => this.commit(path) });
    } else if (type === "select") {
      input = h("select", { ...common, onchange: () => this.commit(path) });
    } else if (type === "color") {
      input = h("input", { ...common, type: "text", class: "mono", spellcheck: "false", maxlength: 9,
        placeholder: "#RRGGBBAA", onchange: () => this.commit(path) });
      extra = h("input", { type: "color", class: "swatch-picker", "aria-label": `${label} picker`,
        oninput: () => this.pickColor(path), onchange: () => this.commit(path) });
    } else if (type === "range") {
      input = h("input", { ...common, type: "number", step: options.step, inputmode: "decimal",
        min: bounds.minimum, max: bounds.maximum, onchange: () => this.commit(path) });
      extra = h("input", { type: "range", min: bounds.minimum, max: bounds.maximum, step: options.step,
        "aria-label": `${label} slider`, oninput: () => this.slide(path),
        // Letting go of a fading slider commits where it stopped, as one more fade.
        onchange: options.fade ? () => this.commit(path) : null });
    } else {
      input = h("input", { ...common, type: type === "text" ? "text" : "number",
        step: options.step, placeholder: options.placeholder, inputmode: type === "text" ? null : "decimal",
        min: bounds.minimum, max: bounds.maximum, onchange: () => this.commit(path) });
    }
    this.fields.set(path, { input, error, type, options, extra });
    const control = extra ? h("div", { class: "field-pair" }, extra, input) : input;
    return h("div", { class: `field field-${type}`, dataset: { field: path } },
      h("label", { for: id }, label), control, error);
  }

  choices(spec, current) {
    let list;
    if (spec === "images") {
      list = this.state.assets.filter((a) => a.kind === "image")
        .map((a) => [a.id, `${a.name || a.id.slice(0, 12)} · ${a.width}×${a.height}`]);
    } else if (ASSET_CHOICES[spec]) {
      list = this.state.assets.filter((a) => a.kind === ASSET_CHOICES[spec])
        .map((a) => [a.id, `${a.name || a.id.slice(0, 12)} · ${formatSeconds(a.duration_s)}`]);
    } else if (spec === "fonts") {
      list = (this.state.limits?.fonts ?? []).map((f) => [f, f]).concat(this.state.assets.filter((a) => a.kind === "font")
        .map((a) => [a.id, a.name || `font ${a.id.slice(0, 12)}`]));
    } else {
      list = (this.state.limits?.choices[spec] ?? []).map((c) => [c, c]);
    }
    if (current != null && !list.some(([v]) => v === current)) list.push([current, `${current} (missing)`]);
    return list;
  }

  /** Put the layer's values into the fields, except where the operator is typing or an error is
   *  showing the rejected value. */
  fill(layer, { force = false } = {}) {
    for (const [path, f] of this.fields) {
      const value = valueAt(layer, path);
      if (f.type === "select") {
        const options = this.choices(f.options.choices, value);
        if (f.input.options.length !== options.length ||
            options.some(([v], i) => f.input.options[i].value !== v)) {
          f.input.replaceChildren(...options.map(([v, text]) => h("option", { value: v }, text)));
        }
      }
      if (f.extra && f.type === "range" && document.activeElement !== f.extra) f.extra.value = String(value ?? 1);
      if (path === "content.out_s" || path === "content.in_s") this.clipBounds(f, layer);
      if (f.extra && f.type === "color" && typeof value === "string") f.extra.value = value.slice(0, 7).toLowerCase();
      if (!force && (document.activeElement === f.input || this.errors.has(path))) continue;
      if (f.type === "checkbox") f.input.checked = value !== false;
      else f.input.value = value === null || value === undefined ? "" : String(value);
    }
  }

  /** The value to send for a field, or throws a message for the field. */
  read(path) {
    const f = this.fields.get(path);
    const raw = f.input.value;
    switch (f.type) {
      case "checkbox": return f.input.checked;
      case "text": return raw.trim() === "" && f.options.nullable ? null : raw;
      case "textarea": case "select": case "color": return raw.trim();
      case "optnumber":
        if (raw.trim() === "") return null;
      // falls through
      default: {
        if (raw.trim() === "" || !Number.isFinite(Number(raw))) throw new Error("must be a number");
        return Number(raw);
      }
    }
  }

  async commit(path) {
    const layerId = this.state.selectedId;
    if (!layerId) return;
    let value;
    try {
      value = this.read(path);
    } catch (error) {
      this.setError(path, error.message);
      return;
    }
    this.setError(path, null);
    this.root.querySelector("#props-error")?.setAttribute("hidden", "");
    const op = { op: "update", id: layerId, patch: patchAt(path, value) };
    if (this.fields.get(path).options.fade) op.animate = this.actions.fade();
    const result = await this.editor.commit([op]);
    if (result.ok) this.refresh();
  }

  slide(path) {
    const f = this.fields.get(path);
    f.input.value = f.extra.value;
    this.setError(path, null);
    const animate = f.options.fade ? this.actions.fade() : null;
    if (this.state.selectedId) this.editor.stream(this.state.selectedId, patchAt(path, Number(f.extra.value)), animate);
  }

  /** A trim field's range is the clip's length (a hint: the server has the last word). */
  clipBounds(f, layer) {
    const duration = this.state.asset(layer.content?.asset)?.duration_s;
    if (typeof duration === "number") f.input.max = String(duration);
  }

  pickColor(path) {
    const f = this.fields.get(path);
    const alpha = /^#[0-9a-f]{8}$/i.test(f.input.value) ? f.input.value.slice(7) : "FF";
    f.input.value = `${f.extra.value.toUpperCase()}${alpha.toUpperCase()}`;
  }

  setError(path, message) {
    const f = this.fields.get(path);
    if (!f) return;
    if (message) this.errors.set(path, message);
    else this.errors.delete(path);
    f.error.textContent = message ?? "";
    f.input.setAttribute("aria-invalid", message ? "true" : "false");
    f.input.closest(".field").classList.toggle("has-error", Boolean(message));
  }

  /** A validation error from the server: under its field when the panel has one, else above. */
  showError({ layerId, field, message: full, path }) {
    // The server's message may repeat the path ("ops[0].patch.opacity: must be ..."): the field
    // already says where, so show the reason alone.
    const message = path && full.startsWith(`${path}: `) ? full.slice(path.length + 2) : full;
    const mine = !layerId || layerId === this.state.selectedId;
    // The nearest field: "transform.x" itself, or a parent such as "content" for "content.text".
    let key = field;
    while (key && !this.fields.has(key)) key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "";
    if (mine && key) {
      this.setError(key, message);
      this.fields.get(key).input.closest(".field").scrollIntoView({ block: "nearest" });
      return;
    }
    const general = this.root.querySelector("#props-error");
    if (mine && general) {
      general.textContent = `${path || "layer"}: ${message}`;
      general.hidden = false;
    } else {
      this.notify(`${path ? `${path}: ` : ""}${message}`, "error");
    }
  }
}
