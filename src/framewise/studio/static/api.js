// The studio's HTTP calls: one fetch wrapper that turns any refused request into one readable
// line (whatever shape the error body has), and a job poller that follows a queued job to
// its end. The page never blocks on long work: the API queues it and answers with a job id.

// Writes need the server's token when it is bound beyond loopback: from `?token=` in the
// page's address or the header's field, kept for this tab only (sessionStorage), sent as a header.
const TOKEN_KEY = "framewise.studio.token";
let token = new URLSearchParams(window.location.search).get("token")
  || window.sessionStorage.getItem(TOKEN_KEY);

export function setToken(value) {
  token = value || null;
  if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
  else window.sessionStorage.removeItem(TOKEN_KEY);
}

export const hasToken = () => Boolean(token);

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// FastAPI's `detail` (a line, an object with message and hint, or the list of refused
// fields) or the store's `{"error": {"code", "message"}}`: always one line for the page.
export function errorText(payload, fallback) {
  const detail = payload && (payload.detail ?? payload.error);
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const where = (d.loc || []).filter((p) => p !== "body" && p !== "query").join(".");
      return where ? `${where}: ${d.msg}` : d.msg;
    }).join("; ");
  }
  if (detail && typeof detail === "object") {
    const line = detail.message || detail.msg || JSON.stringify(detail);
    return detail.hint ? `${line} (${detail.hint})` : line;
  }
  return fallback;
}

function refused(status, statusText, text) {
  let payload = null;
  try { payload = text ? JSON.parse(text) : null; } catch { payload = null; }
  const fallback = `${status} ${statusText}`.trim();
  return new ApiError(status, errorText(payload, text.slice(0, 200) || fallback));
}

export async function request(method, url, { form, json } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (form) body = form; // the browser sets the multipart boundary itself
  else if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body });
  } catch (error) {
    throw new ApiError(0, `the studio server did not answer (${error.message}); is it still running?`);
  }
  const text = await response.text();
  if (!response.ok) throw refused(response.status, response.statusText, text);
  return text ? JSON.parse(text) : null;
}

// A multipart upload with progress (fetch reports none while sending): `progress(fraction)`.
export function upload(url, form, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) progress(e.loaded / e.total); });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.responseText ? JSON.parse(xhr.responseText) : null);
      else reject(refused(xhr.status, xhr.statusText, xhr.responseText || ""));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "the upload did not reach the studio server; is it still running?")));
    xhr.send(form);
  });
}

export function formOf(fields) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    if (value instanceof Blob) form.append(key, value, value.name || key);
    else form.append(key, String(value));
  }
  return form;
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// Follow a job until it ends; `progress(job)` sees every answer. A failed job rejects with
// its error line; a job that vanished (server restarted and pruned it) rejects too.
export async function follow(jobUrl, progress, { interval = 400 } = {}) {
  for (;;) {
    const job = await request("GET", jobUrl);
    progress(job);
    const state = String(job.state || job.status || "").toLowerCase();
    if (["done", "finished", "succeeded", "success", "completed"].includes(state)) return job;
    if (["failed", "error", "cancelled", "canceled"].includes(state)) {
      throw new ApiError(null, job.error || `the job ${state}`);
    }
    await sleep(interval);
  }
}
