// The program preview: /api/v1/preview.jpg polled a few times a second (fetched with the token,
// shown through a blob URL), and an SVG overlay in canvas coordinates with every layer's outline.
// Click selects, dragging a box moves it, dragging a handle scales it (the opposite handle stays).

import { corners, drawsBox, frame, round, scaleByHandle, toCanvas } from "./geometry.js";

const SVG = "http://www.w3.org/2000/svg";
const POLL_MS = 250; // 4 fps: enough to follow a show, cheap for the server's JPEG encoder
const RETRY_MS = 1000;
const HANDLE_PX = 9; // screen pixels, whatever the preview's scale
const HANDLES = [
  [0, 0], [0.5, 0], [1, 0], [1, 0.5], [1, 1], [0.5, 1], [0, 1], [0, 0.5],
];
const CURSORS = {
  "0,0": "nwse-resize", "1,1": "nwse-resize", "1,0": "nesw-resize", "0,1": "nesw-resize",
  "0.5,0": "ns-resize", "0.5,1": "ns-resize", "0,0.5": "ew-resize", "1,0.5": "ew-resize",
};

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

export class Preview {
  constructor({ api, state, editor, root }) {
    this.api = api;
    this.state = state;
    this.editor = editor;
    this.wrap = root.querySelector("#preview-wrap");
    this.box = root.querySelector("#preview");
    this.img = root.querySelector("#preview-img");
    this.svg = root.querySelector("#overlay");
    this.status = root.querySelector("#preview-status");
    this.frames = 0;
    this.drag = null;
    this.objectUrl = null;
    this.assetOf = (id) => state.asset(id);
    new ResizeObserver(() => this.fit()).observe(this.wrap);
    state.addEventListener("change", () => this.draw());
    this.svg.addEventListener("pointerdown", (e) => this.pointerDown(e));
    this.svg.addEventListener("pointermove", (e) => this.pointerMove(e));
    this.svg.addEventListener("pointerup", (e) => this.pointerUp(e));
    this.svg.addEventListener("pointercancel", (e) => this.pointerUp(e));
  }

  start() {
    this.poll();
  }

  // --- the picture ----------------------------------------------------------------------------

  async poll() {
    let delay = POLL_MS;
    try {
      const width = Math.min(this.state.scene?.width ?? 1920,
        Math.max(64, Math.round(this.box.clientWidth * (window.devicePixelRatio || 1))));
      const response = await this.api.request("GET", `/preview.jpg?width=${width}&t=${Date.now()}`,
        { raw: true });
      await this.show(await response.blob());
      this.status.textContent = `live · ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      delay = RETRY_MS;
      this.status.textContent = error.isOffline ? "offline" : `no picture (${error.message})`;
    }
    // A hidden tab polls slowly: nobody is looking, and the server's CPU matters more.
    setTimeout(() => this.poll(), document.hidden ? 4 * RETRY_MS : delay);
  }

  show(blob) {
    return new Promise((resolve) => {
      const url = URL.createObjectURL(blob);
      const previous = this.objectUrl;
      this.img.onload = () => {
        if (previous) URL.revokeObjectURL(previous);
        this.frames += 1;
        this.box.dataset.frames = String(this.frames);
        resolve();
      };
      this.img.onerror = () => {
        URL.revokeObjectURL(url);
        resolve();
      };
      this.objectUrl = url;
      this.img.src = url;
    });
  }

  fit() {
    const scene = this.state.scene;
    const ratio = scene ? scene.width / scene.height : 16 / 9;
    const availW = this.wrap.clientWidth;
    const availH = this.wrap.clientHeight;
    const width = Math.max(1, Math.min(availW, availH * ratio));
    this.box.style.width = `${Math.floor(width)}px`;
    this.box.style.height = `${Math.floor(width / ratio)}px`;
    this.draw();
  }

  // --- the overlay ----------------------------------------------------------------------------

  draw() {
    const scene = this.state.scene;
    if (!scene) return;
    if (this.svg.getAttribute("viewBox") !== `0 0 ${scene.width} ${scene.height}`) {
      this.svg.setAttribute("viewBox", `0 0 ${scene.width} ${scene.height}`);
      this.fit();
      return;
    }
    const unit = scene.width / Math.max(1, this.box.clientWidth); // canvas px per screen px
    const layers = this.state.shownLayers().filter(drawsBox); // no box for sound
    const selected = layers.find((l) => l.id === this.state.selectedId);
    this.svg.replaceChildren();
    // Draw low z first so the topmost box is the one a click hits.
    const order = layers.map((l, i) => [l, i]).sort((a, b) => (a[0].z ?? 0) - (b[0].z ?? 0) || a[1] - b[1]);
    for (const [layer] of order) {
      if (layer === selected) continue;
      this.svg.append(this.outline(layer, scene, "box"));
    }
    if (selected) this.drawSelected(selected, scene, unit);
  }

  outline(layer, scene, className) {
    const points = corners(frame(layer, scene, this.assetOf)).map((p) => p.join(",")).join(" ");
    const hidden = layer.visible === false ? " is-hidden" : "";
    return svgElement("polygon", {
      points, class: `${className}${hidden}`, "data-id": layer.id,
      "vector-effect": "non-scaling-stroke",
    });
  }

  drawSelected(layer, scene, unit) {
    const f = frame(layer, scene, this.assetOf);
    this.svg.append(this.outline(layer, scene, "box selected"));
    const size = HANDLE_PX * unit;
    for (const [u, v] of HANDLES) {
      const [cx, cy] = toCanvas(f, u, v);
      this.svg.append(svgElement("rect", {
        x: cx - size / 2, y: cy - size / 2, width: size, height: size, class: "handle",
        "data-handle": `${u},${v}`, style: `cursor: ${CURSORS[`${u},${v}`]}`,
        "vector-effect": "non-scaling-stroke",
      }));
    }
    const [ax, ay] = [f.x, f.y];
    this.svg.append(svgElement("circle", { cx: ax, cy: ay, r: 3.5 * unit, class: "anchor" }));
    const [lx, ly] = toCanvas(f, 0, 0);
    const label = svgElement("text", {
      x: lx, y: ly - 6 * unit, class: "label", "font-size": 11 * unit,
    });
    label.textContent = layer.name || layer.id;
    this.svg.append(label);
  }

  // --- pointer --------------------------------------------------------------------------------

  canvasPoint(event) {
    const rect = this.svg.getBoundingClientRect();
    const scene = this.state.scene;
    return [
      ((event.clientX - rect.left) * scene.width) / rect.width,
      ((event.clientY - rect.top) * scene.height) / rect.height,
    ];
  }

  pointerDown(event) {
    if (!this.state.scene || event.button !== 0) return;
    this.box.focus({ preventScroll: true });
    const handle = event.target.closest("[data-handle]");
    const hit = event.target.closest("[data-id]");
    const id = handle ? this.state.selectedId : hit?.getAttribute("data-id");
    if (!id) {
      this.state.select(null);
      return;
    }
    this.state.select(id);
    const layer = this.state.shownLayer(id);
    const [px, py] = this.canvasPoint(event);
    this.drag = {
      id, start: [px, py], moved: false,
      frame: frame(layer, this.state.scene, this.assetOf),
      handle: handle ? handle.getAttribute("data-handle").split(",").map(Number) : null,
    };
    this.svg.setPointerCapture(event.pointerId);
    event.preventDefault();
  }

  pointerMove(event) {
    const drag = this.drag;
    if (!drag) return;
    const [px, py] = this.canvasPoint(event);
    if (!drag.moved && Math.hypot(px - drag.start[0], py - drag.start[1]) < 1) return;
    drag.moved = true;
    let transform;
    if (drag.handle) {
      transform = scaleByHandle(drag.frame, drag.handle[0], drag.handle[1], px, py, event.shiftKey);
    } else {
      transform = {
        x: round(drag.frame.x + px - drag.start[0]),
        y: round(drag.frame.y + py - drag.start[1]),
      };
    }
    this.editor.stream(drag.id, { transform });
  }

  pointerUp(event) {
    if (!this.drag) return;
    if (this.svg.hasPointerCapture(event.pointerId)) this.svg.releasePointerCapture(event.pointerId);
    this.drag = null;
  }
}
