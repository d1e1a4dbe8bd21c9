// Notices (toasts in an aria-live region) and the modal dialogs: "are you sure" and "pick an
// asset" (an image, a video clip, a sound). Native <dialog>: focus is trapped and Escape cancels without any code of ours.

import { formatSeconds, h } from "./dom.js";

const NOTICE_MS = { ok: 3000, info: 4000, warning: 7000, error: 7000 };

/** notify(message, kind): kind is ok, info, warning or error. */
export function notifier(container) {
  return (message, kind = "info") => {
    const toast = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" },
      h("span", {}, message),
      h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss", onclick: () => toast.remove() }, "×"));
    container.append(toast);
    while (container.children.length > 4) container.firstElementChild.remove();
    setTimeout(() => toast.remove(), NOTICE_MS[kind] ?? 4000);
  };
}

function modal(dialog, onOpen) {
  return new Promise((resolve) => {
    dialog.returnValue = "";
    dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true });
    onOpen?.();
    dialog.showModal();
  });
}

/** confirm(message, okLabel) resolves true when the operator confirms. */
export function confirmer(dialog) {
  return async (message, okLabel = "OK") => {
    dialog.querySelector("#confirm-message").textContent = message;
    dialog.querySelector("#confirm-ok").textContent = okLabel;
    return (await modal(dialog)) === "ok";
  };
}

const PICK = {
  image: { title: "Add an image layer", label: "Image asset", facts: (a) => `${a.width}×${a.height}` },
  video: { title: "Add a video layer", label: "Video clip", facts: (a) => `${a.width}×${a.height} · ${formatSeconds(a.duration_s)}` },
  audio: { title: "Add an audio layer", label: "Sound", facts: (a) => formatSeconds(a.duration_s) },
};

/** pickAsset(assets, kind) resolves to the chosen asset of that kind (image, video, audio), or
 *  null. */
export function assetPicker(dialog) {
  return async (assets, kind = "image") => {
    const words = PICK[kind];
    const select = dialog.querySelector("#asset-pick");
    const choices = assets.filter((a) => a.kind === kind);
    dialog.querySelector("#asset-pick-title").textContent = words.title;
    dialog.querySelector("#asset-pick-label").textContent = words.label;
    select.replaceChildren(...choices.map((a) =>
      h("option", { value: a.id }, `${a.name || a.id.slice(0, 12)} · ${words.facts(a)}`)));
    select.disabled = choices.length === 0;
    dialog.querySelector("#asset-pick-none").hidden = choices.length > 0;
    dialog.querySelector("#asset-pick-ok").disabled = choices.length === 0;
    const answer = await modal(dialog, () => setTimeout(() => select.focus(), 0));
    return answer === "ok" ? choices.find((a) => a.id === select.value) ?? null : null;
  };
}
