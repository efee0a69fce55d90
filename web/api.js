// Every network call of the two pages, and the one place that reads an error body.
//
// The job seeker's page talks to the VPR API at a configurable base URL (the local service by
// default, or a deployed API Gateway stage with a Cognito ID token); the console talks to the local
// service's /console/api endpoints only.

const DEFAULT_RETRY_AFTER_S = 5;
const MAX_RETRY_AFTER_S = 60;

/**
 * The user-safe message, error code and field problems of an error body or a FAILED status.
 * Reads both envelopes: {"error": "msg", "code", "fields": [...]} (status: "error" + "error_code")
 * and the older {"error": {"code", "message", "fields"}}.
 */
export function readProblem(body) {
  const error = body && body.error;
  if (typeof error === "string") {
    return {
      message: error,
      code: body.code || body.error_code || "",
      fields: Array.isArray(body.fields) ? body.fields : [],
    };
  }
  if (error && typeof error === "object") {
    return {
      message: String(error.message || ""),
      code: String(error.code || ""),
      fields: Array.isArray(error.fields) ? error.fields : [],
    };
  }
  return { message: "", code: "", fields: [] };
}

/** Seconds to wait before the next poll: the Retry-After header (seconds or an HTTP date). */
export function retryAfterSeconds(headers) {
  const raw = headers.get("Retry-After");
  let seconds = raw === null ? NaN : Number(raw);
  if (raw !== null && Number.isNaN(seconds)) {
    seconds = (Date.parse(raw) - Date.now()) / 1000;
  }
  if (!Number.isFinite(seconds)) return DEFAULT_RETRY_AFTER_S;
  return Math.min(Math.max(seconds, 0.2), MAX_RETRY_AFTER_S);
}

/** A fresh Idempotency-Key: asks the API for a new version of the report. */
export function newIdempotencyKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** "https://x.execute-api.../dev/api/vpr" and "https://x.../dev" name the same API; "" is this server. */
export function apiRoot(baseUrl) {
  const trimmed = (baseUrl || "").trim().replace(/\/+$/, "").replace(/\/api\/vpr$/, "");
  return trimmed || window.location.origin;
}

/** A job id in a URL path: URL-encoded, its ARN's ":" kept. */
function jobRef(jobId) {
  return encodeURIComponent(jobId).replaceAll("%3A", ":");
}

export function statusPath(jobId) {
  return "/api/vpr/status/" + jobRef(jobId);
}

/** DELETE here cancels the job; POST to it + "/retry" retries it. */
export function jobPath(jobId) {
  return "/api/vpr/" + jobRef(jobId);
}

async function call(url, options) {
  let response;
  try {
    response = await fetch(url, options);
  } catch (err) {
    return {
      ok: false,
      status: 0,
      body: null,
      headers: new Headers(),
      problem: { message: `Cannot reach ${url} (${err.message}).`, code: "NetworkError", fields: [] },
    };
  }
  let body = null;
  const text = await response.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const result = { ok: response.ok, status: response.status, body, headers: response.headers };
  if (!response.ok) {
    result.problem = readProblem(body);
    if (!result.problem.message) result.problem.message = `The API answered HTTP ${response.status}.`;
  }
  return result;
}

/** The VPR API (submit, status, cancel, retry), with the page's settings. */
export class VprApi {
  constructor({ baseUrl, token }) {
    this.root = apiRoot(baseUrl);
    this.token = (token || "").trim();
  }

  headers(extra) {
    const headers = { Accept: "application/json", ...extra };
    if (this.token) headers.Authorization = this.token; // a Cognito ID token, as API Gateway expects
    return headers;
  }

  submit(payload, idempotencyKey) {
    const extra = { "Content-Type": "application/json" };
    if (idempotencyKey) extra["Idempotency-Key"] = idempotencyKey;
    return call(this.root + "/api/vpr", {
      method: "POST",
      headers: this.headers(extra),
      body: JSON.stringify(payload),
    });
  }

  async status(jobId) {
    const result = await call(this.root + statusPath(jobId), { headers: this.headers({}) });
    result.retryAfter = retryAfterSeconds(result.headers);
    return result;
  }

  /** Stop a running job: its status (FAILED, error_code Cancelled), or 409 when it ended already. */
  cancel(jobId) {
    return call(this.root + jobPath(jobId), { method: "DELETE", headers: this.headers({}) });
  }

  /** Resume a job that failed with a transient error: its status (PROCESSING), or 409 saying why not. */
  retry(jobId) {
    return call(this.root + jobPath(jobId) + "/retry", { method: "POST", headers: this.headers({}) });
  }

  /** The stored report, from its presigned URL (no Authorization: the signature is the credential). */
  report(resultUrl) {
    return call(resultUrl, { headers: { Accept: "application/json" } });
  }
}

/** The local console's JSON (served by `make run` only). */
export const consoleApi = {
  executions: () => call("/console/api/executions", { headers: { Accept: "application/json" } }),
  execution: (arn) =>
    call("/console/api/execution?arn=" + encodeURIComponent(arn), { headers: { Accept: "application/json" } }),
};
