// A tiny element builder: h("button", {class: "btn", onclick: fn}, "Label"). Attributes starting
// with "on" become listeners, `dataset` fills data-*, booleans toggle the attribute; children are
// nodes or text (null/false are skipped). Text is always set as text, never parsed as HTML.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(element.dataset, value);
    } else if (key === "style" && typeof value === "object") {
      Object.assign(element.style, value);
    } else if (value === true) {
      element.setAttribute(key, "");
    } else {
      element.setAttribute(key, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Bytes for people: 980 B, 12.3 kB, 4.5 MB. */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return "—";
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB"];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Seconds for people: 2.0 s, 1:05.3, 1:02:03.0 (tenths, rounded down so a clip never looks
 *  longer than it is). */
export function formatSeconds(seconds) {
  if (!Number.isFinite(seconds)) return "—";
  const tenths = Math.floor(seconds * 10 + 1e-6);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const s = ((tenths % 600) / 10).toFixed(1).padStart(4, "0");
  const minutes = Math.floor(tenths / 600);
  if (minutes < 60) return `${minutes}:${s}`;
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}:${s}`;
}

/** The element is a text-entry control, where keys belong to the control, not to shortcuts. */
export function isTextEntry(element) {
  if (!element) return false;
  if (element.isContentEditable) return true;
  const tag = element.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  return !["checkbox", "radio", "button", "submit", "range", "color", "file"].includes(element.type);
}

const SVG_NS = "http://www.w3.org/2000/svg";
// 16×16 stroked icons: text glyphs such as ⧉ are missing from many system fonts.
const ICONS = {
  eye: ["M1.5 8S4 3.5 8 3.5 14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8z", "M8 6a2 2 0 1 0 0 4 2 2 0 0 0 0-4z"],
  "eye-off": ["M1.5 8S4 3.5 8 3.5 14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8z", "M2.5 2.5l11 11"],
  copy: ["M6 5.5h7.5V14H6z", "M10.5 5.5V2.5H3v8.5h3"],
  trash: ["M2.5 4.5h11", "M6 4.5V2.5h4v2", "M4 4.5l.8 9h6.4l.8-9"],
  play: ["M4.5 2.5v11l9-5.5z"],
  restart: ["M3 2.5v11", "M6 8l7.5-5.5v11z"],
  loop: ["M2.5 9V7a2.5 2.5 0 0 1 2.5-2.5h8.5", "M11 2l2.5 2.5L11 7", "M13.5 7v2a2.5 2.5 0 0 1-2.5 2.5H2.5", "M5 9l-2.5 2.5L5 14"],
  sound: ["M2 6h2.5L8 3v10l-3.5-3H2z", "M10.5 5.5a3.5 3.5 0 0 1 0 5", "M12.5 3.5a6.3 6.3 0 0 1 0 9"],
  mute: ["M2 6h2.5L8 3v10l-3.5-3H2z", "M10.5 6l4 4", "M14.5 6l-4 4"],
  music: ["M6 12.5V3.5l7.5-1.5v9", "M6 12.5a2 2 0 1 1-4 0 2 2 0 0 1 4 0z", "M13.5 11a2 2 0 1 1-4 0 2 2 0 0 1 4 0z"],
  film: ["M2.5 2.5h11v11h-11z", "M5 2.5v11", "M11 2.5v11", "M2.5 8h2.5", "M11 8h2.5"],
};

/** An inline SVG icon (aria-hidden: the button carries the label). */
export function icon(name) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  for (const d of ICONS[name] ?? []) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}
