// Notices (toasts in an aria-live region) and the modal dialogs: "are you sure" and "pick an image
// asset". Native <dialog>: focus is trapped and Escape cancels without any code of ours.

import { h } from "./dom.js";

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

/** pickImage(assets) resolves to the chosen image asset, or null. */
export function imagePicker(dialog) {
  return async (assets) => {
    const select = dialog.querySelector("#image-asset");
    const images = assets.filter((a) => a.kind === "image");
    select.replaceChildren(...images.map((a) =>
      h("option", { value: a.id }, `${a.name || a.id.slice(0, 12)} · ${a.width}×${a.height}`)));
    select.disabled = images.length === 0;
    dialog.querySelector("#image-none").hidden = images.length > 0;
    dialog.querySelector("#image-ok").disabled = images.length === 0;
    const answer = await modal(dialog, () => setTimeout(() => select.focus(), 0));
    return answer === "ok" ? images.find((a) => a.id === select.value) ?? null : null;
  };
}
