/**
 * Typed fetch wrapper for the REST API.
 *
 * Access tokens live in an HttpOnly cookie, so the client cannot see them; the server says
 * when each expires (`accessExpiresAt`) and the client calls POST /api/auth/refresh ahead of it. Refreshes are single-flight
 * within a tab and serialized across tabs (Web Locks), because presenting a refresh token
 * twice looks like token theft to the server and revokes the whole session.
 */
import type { ErrorCode } from "../shared/errors";
import type { AccessExpiry } from "../shared/protocol";

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

/** Refresh once this share of the access token's remaining lifetime has passed. */
const REFRESH_SHARE = 0.8;
/** `{issuedAt, refreshAt}` in this browser's clock, shared by its tabs. */
const TOKENS_KEY = "parley.tokens";

interface TokenStamp {
  issuedAt: number;
  refreshAt: number;
}

function readStamp(): TokenStamp {
  try {
    const v = JSON.parse(localStorage.getItem(TOKENS_KEY) ?? "null") as Partial<TokenStamp> | null;
    return { issuedAt: Number(v?.issuedAt) || 0, refreshAt: Number(v?.refreshAt) || 0 };
  } catch {
    return { issuedAt: 0, refreshAt: 0 };
  }
}

function writeStamp(stamp: TokenStamp): void {
  try {
    localStorage.setItem(TOKENS_KEY, JSON.stringify(stamp));
  } catch {
    /* storage may be disabled; the 401 retry path still works */
  }
}

/**
 * Local clock minus the server's. The Date header has 1-second resolution, so only a skew
 * clearly beyond that is applied; otherwise the local clock is more precise.
 */
let skewMs = 0;

function noteServerClock(res: Response): void {
  const server = Date.parse(res.headers.get("date") ?? "");
  if (Number.isNaN(server)) return;
  const skew = Date.now() - server;
  skewMs = Math.abs(skew) > 5000 ? skew : 0;
}

function refreshAtFor(accessExpiresAt: string, now: number): number {
  const remaining = Math.max(0, Date.parse(accessExpiresAt) + skewMs - now || 0);
  return now + remaining * REFRESH_SHARE;
}

/** Record that the server just issued fresh cookies (login, register, refresh). */
export function markTokensFresh(accessExpiresAt: string): void {
  const now = Date.now();
  writeStamp({ issuedAt: now, refreshAt: refreshAtFor(accessExpiresAt, now) });
}

/** Record the expiry of cookies issued earlier or elsewhere (an OIDC callback, another visit). */
export function noteAccessExpiry(accessExpiresAt: string): void {
  writeStamp({ issuedAt: readStamp().issuedAt, refreshAt: refreshAtFor(accessExpiresAt, Date.now()) });
}

export function forgetTokens(): void {
  try {
    localStorage.removeItem(TOKENS_KEY);
  } catch {
    /* ignore */
  }
}

/** Milliseconds until the proactive refresh is due (≤ 0: due now, also when unknown). */
export function msUntilRefresh(): number {
  return readStamp().refreshAt - Date.now();
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
    const res = await fetch(path, { credentials: "same-origin", ...init });
    noteServerClock(res);
    return res;
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
    if (readStamp().issuedAt > startedAt) return; // another tab refreshed while we waited
    const res = await send("/api/auth/refresh", { method: "POST", headers: { accept: "application/json" } });
    if (!res.ok) {
      if (res.status === 401) forgetTokens();
      throw await toApiError(res);
    }
    markTokensFresh(((await res.json()) as AccessExpiry).accessExpiresAt);
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
  if (res.status === 401 && retryAuth && !(await refusedCredentials(res))) {
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

/** A wrong password re-asked of a signed-in user says nothing of the session: no refresh, no sign-out. */
async function refusedCredentials(res: Response): Promise<boolean> {
  return (await toApiError(res.clone())).code === "INVALID_CREDENTIALS";
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
        ? `Too many failed sign-in attempts. Try again in ${formatWait(err.retryAfter)}.`
        : "Too many failed sign-in attempts. Try again in a moment.";
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
