// Where a layer's box lies on the canvas, from its transform (CONTRACT.md): the box is
// width x height (null = the content's natural size), the anchor (anchor_x, anchor_y fractions of
// the box) sits at (x, y); scale and clockwise rotation happen about the anchor. Canvas pixels,
// origin top-left, y down. Crop cuts fractions of the source away, so a natural-size box shrinks
// with it.

const TEXT_FAMILIES = {
  sans: "400 {size}px 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif",
  "sans-bold": "700 {size}px 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif",
  serif: "400 {size}px 'DejaVu Serif', 'Liberation Serif', Georgia, serif",
  mono: "400 {size}px 'DejaVu Sans Mono', 'Liberation Mono', monospace",
};
// The renderer stacks lines (ascent + descent) apart: 1.164 em for the DejaVu faces it bundles.
// Text boxes are an estimate made with the browser's closest font; the renderer has the last word.
const LINE_HEIGHT = 1.164;

let measureContext = null;

function measure(text, font, size) {
  measureContext ??= document.createElement("canvas").getContext("2d");
  measureContext.font = (TEXT_FAMILIES[font] ?? TEXT_FAMILIES.sans).replace("{size}", size);
  return measureContext.measureText(text).width;
}

function wrap(line, font, size, maxWidth) {
  if (!maxWidth || measure(line, font, size) <= maxWidth) return [line];
  const lines = [];
  let current = "";
  for (const word of line.split(/(\s+)/)) {
    const candidate = current + word;
    if (current.trim() && measure(candidate.trimEnd(), font, size) > maxWidth) {
      lines.push(current.trimEnd());
      current = word.trimStart();
    } else {
      current = candidate;
    }
  }
  lines.push(current.trimEnd());
  return lines;
}

/** An estimate of a text layer's natural size, measured with the browser's closest font. */
export function textSize(content) {
  const size = Number(content.size_px ?? 48);
  const font = content.font ?? "sans";
  const maxWidth = content.max_width_px ?? null;
  const lines = String(content.text ?? "").split("\n").flatMap((l) => wrap(l, font, size, maxWidth));
  const widest = Math.max(0, ...lines.map((l) => measure(l, font, size)));
  const width = maxWidth ?? widest; // a wrapped block is exactly max_width_px wide
  return { w: Math.max(1, Math.ceil(width)), h: Math.max(1, Math.ceil(lines.length * size * LINE_HEIGHT)) };
}

/** The content's natural size in px before crop: images and video clips from their asset (a
 *  clip's display size), text measured, a colour fills the canvas. */
export function naturalSize(layer, scene, assetOf) {
  const content = layer.content ?? {};
  if (layer.kind === "image" || layer.kind === "video") {
    const asset = assetOf(content.asset);
    if (asset && asset.width && asset.height) return { w: asset.width, h: asset.height };
    return { w: 100, h: 100 }; // unknown asset: a visible placeholder box
  }
  if (layer.kind === "text") return textSize(content);
  return { w: scene.width, h: scene.height };
}

/** Whether the layer has a box on the canvas: an audio layer is sound only. */
export function drawsBox(layer) {
  return layer.kind !== "audio";
}

/** The unscaled box {w, h} of a layer. */
export function layerBox(layer, scene, assetOf) {
  const t = layer.transform ?? {};
  if (t.width != null && t.height != null) return { w: t.width, h: t.height };
  const natural = naturalSize(layer, scene, assetOf);
  const crop = layer.crop ?? {};
  const keepX = Math.max(0, 1 - (crop.left ?? 0) - (crop.right ?? 0));
  const keepY = Math.max(0, 1 - (crop.top ?? 0) - (crop.bottom ?? 0));
  return { w: t.width ?? natural.w * keepX, h: t.height ?? natural.h * keepY };
}

/** Everything needed to map box fractions to canvas pixels and back. */
export function frame(layer, scene, assetOf) {
  const t = layer.transform ?? {};
  const box = layerBox(layer, scene, assetOf);
  const angle = ((t.rotation_deg ?? 0) * Math.PI) / 180;
  return {
    x: t.x ?? 0, y: t.y ?? 0, w: box.w, h: box.h,
    ax: t.anchor_x ?? 0, ay: t.anchor_y ?? 0,
    sx: t.scale_x ?? 1, sy: t.scale_y ?? 1,
    cos: Math.cos(angle), sin: Math.sin(angle),
  };
}

/** Canvas point of the box point (u, v), fractions of the box (0,0 top-left, 1,1 bottom-right). */
export function toCanvas(f, u, v) {
  const lx = (u - f.ax) * f.w * f.sx;
  const ly = (v - f.ay) * f.h * f.sy;
  // y points down, so this matrix turns clockwise on screen for a positive angle.
  return [f.x + lx * f.cos - ly * f.sin, f.y + lx * f.sin + ly * f.cos];
}

/** A canvas point in the layer's rotated (but unscaled) axes, relative to `origin`. */
export function toRotatedAxes(f, px, py, origin) {
  const dx = px - origin[0];
  const dy = py - origin[1];
  return [dx * f.cos + dy * f.sin, -dx * f.sin + dy * f.cos];
}

export function corners(f) {
  return [toCanvas(f, 0, 0), toCanvas(f, 1, 0), toCanvas(f, 1, 1), toCanvas(f, 0, 1)];
}

/**
 * Scale a layer by dragging the handle at box fractions (hu, hv) to canvas point (px, py), the
 * opposite handle staying where it is. Edge handles (0.5 on one axis) scale one axis only;
 * `uniform` keeps the aspect ratio. Returns a transform patch {x, y, scale_x, scale_y}.
 */
export function scaleByHandle(f, hu, hv, px, py, uniform) {
  const ou = 1 - hu;
  const ov = 1 - hv;
  const fixed = toCanvas(f, ou, ov);
  const [lx, ly] = toRotatedAxes(f, px, py, fixed);
  let sx = f.sx;
  let sy = f.sy;
  if (hu !== 0.5 && f.w > 0) sx = Math.max(0.01, lx / ((hu - ou) * f.w));
  if (hv !== 0.5 && f.h > 0) sy = Math.max(0.01, ly / ((hv - ov) * f.h));
  if (uniform && hu !== 0.5 && hv !== 0.5) {
    const ratio = Math.max(sx / f.sx, sy / f.sy);
    sx = f.sx * ratio;
    sy = f.sy * ratio;
  }
  sx = round(sx, 4);
  sy = round(sy, 4);
  // Put the anchor where the fixed handle stays put with the new scale.
  const moved = { ...f, sx, sy };
  const fixedAfter = toCanvas(moved, ou, ov);
  return {
    x: round(f.x + fixed[0] - fixedAfter[0], 2),
    y: round(f.y + fixed[1] - fixedAfter[1], 2),
    scale_x: sx,
    scale_y: sy,
  };
}

export function round(value, digits = 0) {
  const k = 10 ** digits;
  return Math.round(value * k) / k;
}
