// The HTTP client of the public API (/api/v1, CONTRACT.md): JSON in and out, the bearer token on
// every request, and one error type for every failure the page shows.
//
// A 401 asks the token provider for a (new) token once per request and retries; the provider
// shares one dialog between concurrent requests, so the operator is asked once.

export const API_BASE = "/api/v1";

/** A failed API call: HTTP status, the error body's code/message/path, and for conflicts the
 *  scene's current version. status 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(status, message, { code = "", path = "", version = null, body = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.path = path;
    this.version = version;
    this.body = body;
  }

  /** A stale if_version (409 with a version) or If-Match (412): someone else changed the scene. */
  get isConflict() {
    return this.status === 412 || (this.status === 409 && this.version !== null);
  }

  get isOffline() {
    return this.status === 0;
  }
}

function errorFromBody(status, body, fallback) {
  const err = body && typeof body === "object" ? body.error : null;
  const detail = err && typeof err === "object" ? err : {};
  const message = detail.message || (typeof err === "string" ? err : "") || fallback;
  let version = null;
  if (body && typeof body.version === "number") version = body.version;
  else if (typeof detail.version === "number") version = detail.version;
  return new ApiError(status, message, {
    code: detail.code || "", path: detail.path || "", version, body,
  });
}

/** fetch() cannot report upload progress; XMLHttpRequest can. The same request, resolved to a
 *  Response so that the rest of the client reads it as any other. onProgress(loaded, total). */
function sendWithProgress(method, url, headers, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.responseType = "blob";
    xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded, e.lengthComputable ? e.total : null));
    xhr.addEventListener("load", () => {
      const empty = xhr.status === 204 || xhr.status === 304;
      resolve(new Response(empty ? null : xhr.response, {
        status: xhr.status, statusText: xhr.statusText,
        headers: { "Content-Type": xhr.getResponseHeader("Content-Type") ?? "" },
      }));
    });
    const offline = () => reject(new ApiError(0, "The server cannot be reached.", { code: "offline" }));
    xhr.addEventListener("error", offline);
    xhr.addEventListener("abort", offline);
    xhr.send(body);
  });
}

export class Api {
  /**
   * @param {{token: () => (string|null), askToken: (reason: string) => Promise<string|null>}} auth
   */
  constructor(auth) {
    this.auth = auth;
  }

  headers(extra = {}) {
    const headers = { ...extra };
    const token = this.auth.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    return headers;
  }

  /**
   * One request. Options: json (a body to send as JSON), body + contentType (a raw body),
   * ifMatch (a scene version for If-Match), raw (return the Response instead of parsed JSON),
   * signal, onProgress (loaded, total) for an upload's progress. Resolves to the parsed JSON (null for 204) or rejects with ApiError.
   */
  async request(method, path, options = {}) {
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(method, path, options);
      if (response.status === 401 && attempt < 3) {
        const hadToken = Boolean(this.auth.token());
        const token = await this.auth.askToken(hadToken ? "The token was not accepted." : "");
        if (token) continue;
      }
      return this.read(response, options);
    }
  }

  async send(method, path, { json, body, contentType, ifMatch, signal, headers = {}, onProgress } = {}) {
    const extra = { ...headers };
    if (json !== undefined) extra["Content-Type"] = "application/json";
    else if (contentType) extra["Content-Type"] = contentType;
    if (ifMatch !== undefined && ifMatch !== null) extra["If-Match"] = `"${ifMatch}"`;
    if (onProgress) return sendWithProgress(method, API_BASE + path, this.headers(extra), body, onProgress);
    try {
      return await fetch(API_BASE + path, {
        method,
        headers: this.headers(extra),
        body: json !== undefined ? JSON.stringify(json) : body,
        signal,
        cache: "no-store",
      });
    } catch (exc) {
      if (exc && exc.name === "AbortError") throw exc;
      throw new ApiError(0, "The server cannot be reached.", { code: "offline" });
    }
  }

  async read(response, { raw = false } = {}) {
    if (response.ok) {
      if (raw) return response;
      if (response.status === 204) return null;
      const text = await response.text();
      return text ? JSON.parse(text) : null;
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    throw errorFromBody(response.status, body, `${response.status} ${response.statusText}`.trim());
  }

  get(path, options) { return this.request("GET", path, options); }
  post(path, json, options = {}) { return this.request("POST", path, { ...options, json }); }
  del(path, options) { return this.request("DELETE", path, options); }
}
