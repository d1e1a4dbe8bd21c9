// The layer list, top of the stack first: select, rename (double-click or F2), show/hide,
// duplicate, delete, and reorder by dragging a row (or Alt+↑/↓ on a focused row).

import { h, icon } from "./dom.js";
import { stackOrder } from "./state.js";

const KIND_LABEL = { color: "Colour", text: "Text", image: "Image", video: "Video", audio: "Audio" };
const KIND_GLYPH = { text: "T", image: "▣", video: "▶", audio: "♪" };

/** What a row shows of a layer: the list is rebuilt only when this changes for some row. */
function shown(layer, selectedId) {
  return [layer.id, layer.name ?? "", layer.visible !== false, layer.id === selectedId, meta(layer),
    layer.kind === "color" ? layer.content?.color ?? "" : ""];
}

/** "Video · z 3 · loop · muted": the kind, the stack place and a clip's state. */
function meta(layer) {
  const parts = [KIND_LABEL[layer.kind] ?? layer.kind, `z ${layer.z ?? 0}`];
  if (layer.content?.loop === true) parts.push("loop");
  if (layer.content?.muted === true) parts.push("muted");
  return parts.join(" · ");
}

function swatch(layer) {
  if (layer.kind === "color") {
    const color = layer.content?.color ?? "#000000";
    return h("span", { class: "kind kind-color", style: { background: color }, "aria-hidden": "true" });
  }
  return h("span", { class: `kind kind-${layer.kind}`, "aria-hidden": "true" }, KIND_GLYPH[layer.kind] ?? "▣");
}

export class LayerList {
  constructor({ state, actions, root }) {
    this.state = state;
    this.actions = actions;
    this.list = root.querySelector("#layer-list");
    this.empty = root.querySelector("#layers-empty");
    this.dragId = null;
    this.renaming = null;
    this.shownKey = null;
    state.addEventListener("change", (e) => {
      if (e.detail.what !== "override") this.render();
    });
    this.list.addEventListener("dragover", (e) => this.dragOver(e));
    this.list.addEventListener("drop", (e) => this.drop(e));
    this.list.addEventListener("dragleave", (e) => {
      if (!this.list.contains(e.relatedTarget)) this.clearMarks();
    });
  }

  /** Rebuild the rows; `force` after a row was changed in place (a rename's input). */
  render(force = false) {
    // Do not pull the input (or the row being dragged) away from under the operator's fingers;
    // the list catches up when the rename or the drag ends.
    if (this.renaming || this.dragId) return;
    const focused = document.activeElement;
    const focusKey = this.list.contains(focused)
      ? [focused.closest("[data-id]")?.dataset.id, focused.dataset.role] : null;
    const layers = stackOrder(this.state.scene?.layers ?? []);
    // Rows replaced for nothing would drop a drag the operator has just started (the mouse went
    // down on a row that is gone by the time the drag begins) and lose hover and focus.
    const key = JSON.stringify(layers.map((layer) => shown(layer, this.state.selectedId)));
    if (!force && key === this.shownKey && this.list.childElementCount === layers.length) return;
    this.shownKey = key;
    this.list.replaceChildren(...layers.map((layer) => this.row(layer)));
    this.empty.hidden = layers.length > 0;
    if (focusKey && focusKey[0]) {
      this.list.querySelector(`[data-id="${CSS.escape(focusKey[0])}"] [data-role="${focusKey[1]}"]`)?.focus();
    }
  }

  row(layer) {
    const selected = layer.id === this.state.selectedId;
    const hidden = layer.visible === false;
    const label = layer.name || layer.id;
    return h("li", {
      class: `layer-item${selected ? " is-selected" : ""}${hidden ? " is-hidden" : ""}`,
      dataset: { id: layer.id }, draggable: "true",
      ondragstart: (e) => {
        this.dragId = layer.id;
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/x-layer-id", layer.id);
      },
      ondragend: () => {
        this.dragId = null;
        this.clearMarks();
        this.render();
      },
    },
    h("span", { class: "grip", "aria-hidden": "true", title: "Drag to reorder" }, "⠿"),
    swatch(layer),
    h("button", {
      type: "button", class: "layer-name", "data-role": "name", "aria-pressed": String(selected),
      title: `${meta(layer)} · double-click or F2 to rename`,
      onclick: () => this.state.select(layer.id),
      ondblclick: () => this.startRename(layer),
      onkeydown: (e) => this.rowKey(e, layer),
    }, label, h("span", { class: "layer-meta" }, meta(layer))),
    h("button", {
      type: "button", class: "icon-btn", "data-role": "visible", "aria-pressed": String(!hidden),
      "aria-label": `${hidden ? "Show" : "Hide"} ${label}`, title: hidden ? "Show" : "Hide",
      onclick: () => this.actions.toggleVisible(layer.id),
    }, icon(hidden ? "eye-off" : "eye")),
    h("button", {
      type: "button", class: "icon-btn", "data-role": "duplicate",
      "aria-label": `Duplicate ${label}`, title: "Duplicate",
      onclick: () => this.actions.duplicate(layer.id),
    }, icon("copy")),
    h("button", {
      type: "button", class: "icon-btn icon-danger", "data-role": "delete",
      "aria-label": `Delete ${label}`, title: "Delete",
      onclick: () => this.actions.remove(layer.id),
    }, icon("trash")));
  }

  rowKey(event, layer) {
    if (event.key === "F2") {
      event.preventDefault();
      this.startRename(layer);
    } else if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      event.stopPropagation(); // not a nudge
      this.state.select(layer.id);
      this.actions.move(layer.id, event.key === "ArrowUp" ? 1 : -1);
    }
  }

  startRename(layer) {
    const button = this.list.querySelector(`[data-id="${CSS.escape(layer.id)}"] .layer-name`);
    if (!button) return;
    this.renaming = layer.id;
    const input = h("input", {
      type: "text", class: "rename-input", value: layer.name ?? "", maxlength: 256,
      "aria-label": "Layer name",
    });
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      this.renaming = null;
      if (save && input.value !== (layer.name ?? "")) this.actions.rename(layer.id, input.value);
      this.render(true);
      this.list.querySelector(`[data-id="${CSS.escape(layer.id)}"] .layer-name`)?.focus();
    };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") finish(true);
      else if (e.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(true));
    button.replaceWith(input);
    input.focus();
    input.select();
  }

  // --- drag to reorder ------------------------------------------------------------------------

  dropTarget(event) {
    const row = event.target.closest?.(".layer-item");
    if (!row || !this.dragId) return null;
    const rect = row.getBoundingClientRect();
    return { row, before: event.clientY < rect.top + rect.height / 2 };
  }

  clearMarks() {
    for (const row of this.list.querySelectorAll(".drop-before, .drop-after")) {
      row.classList.remove("drop-before", "drop-after");
    }
  }

  dragOver(event) {
    const target = this.dropTarget(event);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    this.clearMarks();
    target.row.classList.add(target.before ? "drop-before" : "drop-after");
  }

  drop(event) {
    const target = this.dropTarget(event);
    this.clearMarks();
    if (!target) return;
    event.preventDefault();
    const order = stackOrder(this.state.scene.layers).map((l) => l.id).filter((id) => id !== this.dragId);
    let index = order.indexOf(target.row.dataset.id);
    if (index < 0) return; // dropped on itself
    if (!target.before) index += 1;
    order.splice(index, 0, this.dragId);
    this.actions.reorder(order);
  }
}
