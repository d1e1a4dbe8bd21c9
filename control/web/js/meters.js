// The program audio meters: two bars (left, right) of the peak level of the last second in dBFS,
// from GET /api/v1/output's "audio": {"peak_dbfs": [left, right]} (Output polls it four times a
// second and hands each status over). The scale is -60..0 dBFS, linear in dB; the bar turns
// yellow above -18 dBFS and red above -6 dBFS. Silence is reported as -120 dBFS (the server's
// floor) and shown as an empty bar and "-inf".

import { h } from "./dom.js";

export const FLOOR_DB = -60;
const SILENCE_DB = -119.5; // at or below this (the server's -120 floor) is silence
const TICKS = [-60, -48, -36, -24, -18, -12, -6, 0];

/** The fraction of the bar a level fills: -60 dBFS or less -> 0, 0 dBFS or more -> 1. */
export function meterFraction(db) {
  if (typeof db !== "number" || !Number.isFinite(db)) return 0;
  return Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
}

/** "-12.3", or "-inf" for silence; "—" when unknown. */
export function formatDb(db) {
  if (typeof db !== "number" || Number.isNaN(db)) return "—";
  return db <= SILENCE_DB ? "-inf" : db.toFixed(1);
}

export class Meters {
  /** @param {HTMLElement} root the #audio-meters element of index.html */
  constructor(root) {
    this.root = root;
    this.bars = ["left", "right"].map((channel) => {
      const mask = h("div", { class: "meter-mask" });
      const value = h("span", { class: "meter-value" }, "—");
      const bar = h("div", {
        class: "meter", dataset: { channel }, role: "meter", "aria-label": `Program audio ${channel}`,
        "aria-valuemin": FLOOR_DB, "aria-valuemax": 0, "aria-valuenow": FLOOR_DB,
      },
      h("span", { class: "meter-channel", "aria-hidden": "true" }, channel === "left" ? "L" : "R"),
      h("div", { class: "meter-track" }, mask),
      value);
      return { bar, mask, value };
    });
    const scale = h("div", { class: "meter-scale", "aria-hidden": "true" },
      ...TICKS.map((db) => h("span", { style: { left: `${meterFraction(db) * 100}%` } }, String(db))));
    root.replaceChildren(h("span", { class: "meters-label" }, "Audio"),
      h("div", { class: "meters-bars" }, ...this.bars.map((b) => b.bar), scale));
    this.show(null);
  }

  /** Show an output status's "audio" ({peak_dbfs: [l, r]}); null or missing: no reading. */
  show(audio) {
    const peaks = Array.isArray(audio?.peak_dbfs) ? audio.peak_dbfs : null;
    this.root.dataset.state = peaks ? "reading" : "none";
    this.root.title = peaks ? "Program audio, peak of the last second (dBFS)" : "No audio reading from the server";
    this.bars.forEach(({ bar, mask, value }, i) => {
      const db = peaks && typeof peaks[i] === "number" ? peaks[i] : null;
      const fraction = meterFraction(db);
      mask.style.width = `${(1 - fraction) * 100}%`;
      value.textContent = formatDb(db);
      bar.dataset.dbfs = db === null ? "" : String(db);
      bar.setAttribute("aria-valuenow", String(db === null ? FLOOR_DB : Math.max(FLOOR_DB, Math.min(0, db))));
      bar.setAttribute("aria-valuetext", db === null ? "no reading" : `${formatDb(db)} dBFS`);
      bar.classList.toggle("is-over", db !== null && db >= -0.1);
    });
  }
}
