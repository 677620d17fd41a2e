/**
 * Typed fetch wrapper for the REST API.
 *
 * Access tokens live in an HttpOnly cookie for 15 minutes, so the client cannot see them;
 * it keeps them fresh by calling POST /api/auth/refresh itself. Refreshes are single-flight
 * within a tab and serialized across tabs (Web Locks), because presenting a refresh token
 * twice looks like token theft to the server and revokes the whole session.
 */
import type { ErrorCode } from "../shared/errors";

export type ClientErrorCode = ErrorCode | "NETWORK_ERROR";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ClientErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds to wait before retrying, from Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** `details.fields` of a VALIDATION_ERROR, as field name → message. */
  get fieldErrors(): Record<string, string> {
    const d = this.details as { fields?: unknown } | undefined;
    const out: Record<string, string> = {};
    if (d && typeof d.fields === "object" && d.fields !== null) {
      for (const [k, v] of Object.entries(d.fields)) {
        if (typeof v === "string") out[k] = v;
        else if (Array.isArray(v) && typeof v[0] === "string") out[k] = v[0];
      }
    }
    return out;
  }

  /** `details.field` of a CONFLICT ("email" | "username"). */
  get conflictField(): string | undefined {
    const d = this.details as { field?: unknown } | undefined;
    return d && typeof d.field === "string" ? d.field : undefined;
  }
}

/** Refresh proactively once the access token is this old (it lives 15 min). */
export const REFRESH_AFTER_MS = 12 * 60 * 1000;
const ISSUED_KEY = "parley.tokensIssuedAt";

function readStamp(): number {
  try {
    return Number(localStorage.getItem(ISSUED_KEY)) || 0;
  } catch {
    return 0;
  }
}

/** Record that the server just issued fresh cookies (login, register, refresh). */
export function markTokensFresh(at: number = Date.now()): void {
  try {
    localStorage.setItem(ISSUED_KEY, String(at));
  } catch {
    /* storage may be disabled; the 401 retry path still works */
  }
}

export function forgetTokens(): void {
  try {
    localStorage.removeItem(ISSUED_KEY);
  } catch {
    /* ignore */
  }
}

/** Milliseconds since this browser last received fresh tokens (Infinity if unknown). */
export function tokenAge(): number {
  const at = readStamp();
  return at ? Date.now() - at : Number.POSITIVE_INFINITY;
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  const retry = Number(res.headers.get("retry-after"));
  return new ApiError(
    res.status,
    (e?.code as ErrorCode | undefined) ?? (res.status === 401 ? "UNAUTHORIZED" : "INTERNAL"),
    e?.message ?? (res.statusText || `Request failed (${res.status})`),
    e?.details,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, { credentials: "same-origin", ...init });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "NETWORK_ERROR", "Can't reach the server. Check your connection and try again.");
  }
}

/** Run `fn` holding a lock shared by every tab of this origin, when the browser has one. */
function withCrossTabLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request("parley-auth-refresh", fn) as Promise<T>) : fn();
}

let inflight: Promise<void> | null = null;

/**
 * Rotate the session cookies. Concurrent callers share one request; a tab that waited
 * for another tab's refresh uses that one's result instead of sending a second.
 */
export function refreshSession(): Promise<void> {
  if (inflight) return inflight;
  const startedAt = Date.now();
  inflight = withCrossTabLock(async () => {
    if (readStamp() > startedAt) return; // another tab refreshed while we waited
    const res = await send("/api/auth/refresh", { method: "POST", headers: { accept: "application/json" } });
    if (!res.ok) {
      if (res.status === 401) forgetTokens();
      throw await toApiError(res);
    }
    markTokensFresh();
  }).finally(() => {
    inflight = null;
  });
  return inflight;
}

type AuthLostHandler = (err: ApiError) => void;
let onAuthLost: AuthLostHandler = () => {};

/** Called when a request needed a session and refreshing could not provide one. */
export function setAuthLostHandler(fn: AuthLostHandler): void {
  onAuthLost = fn;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
  /** Refresh and retry once on 401 (default true). Off for login/register/refresh. */
  retryAuth?: boolean;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const { method = "GET", body, signal, retryAuth = true } = opts;
  const headers: Record<string, string> = { accept: "application/json" };
  const init: RequestInit = { method, headers, signal };
  if (body instanceof Blob) {
    // Raw bytes (an uploaded image): sent as they are.
    headers["content-type"] = body.type || "application/octet-stream";
    init.body = body;
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }

  let res = await send(path, init);
  if (res.status === 401 && retryAuth) {
    try {
      await refreshSession();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        onAuthLost(err);
        throw err;
      }
      throw err;
    }
    res = await send(path, init);
    if (res.status === 401) {
      const err = await toApiError(res);
      onAuthLost(err);
      throw err;
    }
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, opts?: Omit<RequestOptions, "method" | "body">) => request<T>(path, { ...opts, method: "GET" }),
  post: <T>(path: string, body?: unknown, opts?: Omit<RequestOptions, "method" | "body">) =>
    request<T>(path, { ...opts, method: "POST", body }),
  patch: <T>(path: string, body?: unknown, opts?: Omit<RequestOptions, "method" | "body">) =>
    request<T>(path, { ...opts, method: "PATCH", body }),
  put: <T>(path: string, body?: unknown, opts?: Omit<RequestOptions, "method" | "body">) =>
    request<T>(path, { ...opts, method: "PUT", body }),
  del: <T = void>(path: string, opts?: Omit<RequestOptions, "method" | "body">) =>
    request<T>(path, { ...opts, method: "DELETE" }),
};

/** A short, human sentence for an error, for toasts and form banners. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === "RATE_LIMITED") {
      return err.retryAfter
        ? `Too many attempts. Try again in ${formatWait(err.retryAfter)}.`
        : "Too many attempts. Please wait a moment and try again.";
    }
    if (err.code === "ACCOUNT_LOCKED") {
      return err.retryAfter
        ? `This account is temporarily locked after too many failed attempts. Try again in ${formatWait(err.retryAfter)}.`
        : "This account is temporarily locked after too many failed attempts.";
    }
    if (err.code === "INTERNAL") return "Something went wrong on our side. Please try again.";
    return err.message;
  }
  return "Something went wrong. Please try again.";
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} second${Math.ceil(seconds) === 1 ? "" : "s"}`;
  const m = Math.ceil(seconds / 60);
  return `${m} minute${m === 1 ? "" : "s"}`;
}
