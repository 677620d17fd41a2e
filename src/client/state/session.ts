/**
 * Who is signed in. Owns the session lifecycle: bootstrap on load, login/register/logout,
 * keeping the access cookie fresh while signed in, and following other tabs.
 */
import { create } from "zustand";
import type { LoginBody, Me, RegisterBody, SessionResult, UpdateMeBody } from "../../shared/protocol";
import type { RegisterResult } from "../../shared/account-mail";
import {
  ApiError,
  api,
  forgetTokens,
  markTokensFresh,
  msUntilRefresh,
  noteAccessExpiry,
  refreshSession,
  setAuthLostHandler,
} from "../api";

export type SessionStatus = "loading" | "signedOut" | "signedIn";

interface SessionState {
  status: SessionStatus;
  user: Me | null;
  /** Set when the first /me failed for a reason other than "not signed in". */
  bootError: string | null;
  /** Failed sign-ins the server reported at this login, until the notice is dismissed. */
  recentFailures: { count: number; lastAt: string } | null;
  dismissRecentFailures(): void;
  bootstrap(): Promise<void>;
  /** Throws ApiError TOTP_REQUIRED when the account has two-factor on: then completeSignIn. */
  login(body: LoginBody): Promise<Me>;
  /**
   * Registers and is signed in. With HIDE_REGISTERED_EMAILS the server starts no session and
   * answers alike for a taken address (mailing its owner): then this signs in with the same
   * credentials, and is null when that fails, so the page says to check the mail.
   */
  register(body: RegisterBody): Promise<Me | null>;
  /** The second step: a code (or recovery code) for the pending sign-in; the first step's recentFailures are shown after it. */
  completeSignIn(code: string, recentFailures: SessionResult["recentFailures"]): Promise<SessionResult>;
  logout(): Promise<void>;
  logoutAll(): Promise<void>;
  updateProfile(patch: UpdateMeBody): Promise<Me>;
  /** Local sign-out (session expired, revoked, or ended in another tab). */
  signedOut(): void;
}

/** Other tabs listen to this key to follow sign-in and sign-out. */
const BROADCAST_KEY = "parley.authEvent";

function broadcast(kind: "in" | "out"): void {
  try {
    localStorage.setItem(BROADCAST_KEY, `${kind}:${Date.now()}`);
  } catch {
    /* ignore */
  }
}

export const useSession = create<SessionState>()((set, get) => ({
  status: "loading",
  user: null,
  bootError: null,
  recentFailures: null,
  dismissRecentFailures: () => set({ recentFailures: null }),

  async bootstrap() {
    set({ bootError: null });
    try {
      const { user, accessExpiresAt } = await api.get<SessionResult>("/api/users/me");
      noteAccessExpiry(accessExpiresAt);
      set({ user, status: "signedIn" });
      void maybeRefresh();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) set({ user: null, status: "signedOut" });
      else set({ bootError: err instanceof ApiError ? err.message : "Could not load Parley." });
    }
  },

  async login(body) {
    const { user, accessExpiresAt, recentFailures } = await api.post<SessionResult>("/api/auth/login", body, { retryAuth: false });
    signedIn(user, accessExpiresAt, recentFailures);
    return user;
  },

  async completeSignIn(code, recentFailures) {
    const result = await api.post<SessionResult>("/api/auth/totp/verify", { code }, { retryAuth: false });
    signedIn(result.user, result.accessExpiresAt, recentFailures);
    return result;
  },

  async register(body) {
    const res = await api.post<RegisterResult | SessionResult>("/api/auth/register", body, { retryAuth: false });
    if ("user" in res) {
      markTokensFresh(res.accessExpiresAt);
      set({ user: res.user, status: "signedIn", bootError: null });
      schedule();
      broadcast("in");
      return res.user;
    }
    try {
      return await get().login({ login: body.email, password: body.password });
    } catch (err) {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) return null;
      throw err;
    }
  },

  async logout() {
    // With a stale access cookie the server could not tell which session to revoke.
    if (msUntilRefresh() <= 0) await refreshSession().catch(() => {});
    try {
      await api.post("/api/auth/logout", undefined, { retryAuth: false });
    } finally {
      forgetTokens();
      broadcast("out");
      get().signedOut();
    }
  },

  async logoutAll() {
    await api.post("/api/auth/logout-all");
    forgetTokens();
    broadcast("out");
    get().signedOut();
  },

  async updateProfile(patch) {
    const { user } = await api.patch<{ user: Me }>("/api/users/me", patch);
    set({ user });
    return user;
  },

  signedOut() {
    set({ user: null, status: "signedOut", recentFailures: null });
  },
}));

function signedIn(user: Me, accessExpiresAt: string, recentFailures: SessionResult["recentFailures"]): void {
  markTokensFresh(accessExpiresAt);
  useSession.setState({ user, status: "signedIn", bootError: null, recentFailures: recentFailures ?? null });
  schedule();
  broadcast("in");
}

setAuthLostHandler(() => {
  if (useSession.getState().status !== "signedOut") useSession.getState().signedOut();
});

let timer: ReturnType<typeof setTimeout> | undefined;

/** Wakes when the refresh is due, and at least every 30 s so sleep cannot make it late for long. */
function schedule(delay = msUntilRefresh()): void {
  clearTimeout(timer);
  if (useSession.getState().status !== "signedIn") return;
  timer = setTimeout(maybeRefresh, Math.min(Math.max(delay, 1000), 30_000));
}

async function maybeRefresh(): Promise<void> {
  if (useSession.getState().status !== "signedIn") return;
  if (msUntilRefresh() > 0) return schedule();
  try {
    await refreshSession();
    schedule();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) useSession.getState().signedOut();
    // Network errors and 5xx: stay signed in and try again shortly.
    else schedule(10_000);
  }
}

let started = false;

/** Start the wake-up and cross-tab listeners (idempotent); sign-in arms the refresh timer. */
export function startSessionKeeper(): void {
  if (started) return;
  started = true;
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void maybeRefresh();
  });
  window.addEventListener("focus", () => void maybeRefresh());
  window.addEventListener("online", () => void maybeRefresh());
  window.addEventListener("storage", (e) => {
    if (e.key !== BROADCAST_KEY || !e.newValue) return;
    const s = useSession.getState();
    if (e.newValue.startsWith("out:") && s.status === "signedIn") s.signedOut();
    if (e.newValue.startsWith("in:") && s.status !== "signedIn") void s.bootstrap();
  });
}
