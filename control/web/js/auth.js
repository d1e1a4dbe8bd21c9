// The API token: kept in sessionStorage (this tab only, gone when it closes) and asked for with a
// small dialog the first time the server answers 401. Concurrent requests share one dialog.

const STORAGE_KEY = "compositor.apiToken";

export class Auth {
  /** @param {HTMLDialogElement} dialog the token dialog of index.html */
  constructor(dialog) {
    this.dialog = dialog;
    this.pending = null;
    this.dismissed = false; // the operator closed the dialog: do not pop it up on every retry
    this.listeners = new Set();
  }

  /** Allow the dialog again after it was dismissed (the operator asked to retry). */
  reset() {
    this.dismissed = false;
  }

  token() {
    try {
      return sessionStorage.getItem(STORAGE_KEY);
    } catch {
      return null; // storage disabled: the page still works without a token
    }
  }

  setToken(token) {
    try {
      if (token) sessionStorage.setItem(STORAGE_KEY, token);
      else sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // no storage: the token lives only as long as this call chain; nothing else to do
    }
    for (const listener of this.listeners) listener(token);
  }

  /** Call `listener(token)` whenever the token changes (the WebSocket reconnects with it). */
  onChange(listener) {
    this.listeners.add(listener);
  }

  /** Ask the operator for a token; resolves to it, or null when the dialog was dismissed. */
  askToken(reason = "") {
    if (this.pending) return this.pending;
    if (this.dismissed) return Promise.resolve(null);
    this.pending = new Promise((resolve) => {
      const form = this.dialog.querySelector("form");
      const input = this.dialog.querySelector("#token-input");
      const message = this.dialog.querySelector("#token-message");
      message.textContent = reason
        ? `${reason} Enter the API token again.`
        : "This server asks for an API token. It is kept for this browser tab only.";
      message.classList.toggle("error-text", Boolean(reason));
      input.value = "";
      const finish = () => {
        form.removeEventListener("submit", onSubmit);
        this.dialog.removeEventListener("close", onClose);
        this.pending = null;
      };
      const onSubmit = (event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (!token) return;
        finish();
        this.dialog.close();
        this.setToken(token);
        resolve(token);
      };
      const onClose = () => {
        finish();
        this.dismissed = true;
        resolve(null);
      };
      form.addEventListener("submit", onSubmit);
      this.dialog.addEventListener("close", onClose);
      if (!this.dialog.open) this.dialog.showModal();
      input.focus();
    });
    return this.pending;
  }
}
