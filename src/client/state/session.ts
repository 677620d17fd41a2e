/**
 * Who is signed in. Owns the session lifecycle: bootstrap on load, login/register/logout,
 * keeping the access cookie fresh while signed in, and following other tabs.
 */
import { create } from "zustand";
import type { LoginBody, Me, RegisterBody, UpdateMeBody } from "../../shared/protocol";
import {
  ApiError,
  REFRESH_AFTER_MS,
  api,
  forgetTokens,
  markTokensFresh,
  refreshSession,
  setAuthLostHandler,
  tokenAge,
} from "../api";

export type SessionStatus = "loading" | "signedOut" | "signedIn";

interface SessionState {
  status: SessionStatus;
  user: Me | null;
  /** Set when the first /me failed for a reason other than "not signed in". */
  bootError: string | null;
  bootstrap(): Promise<void>;
  login(body: LoginBody): Promise<Me>;
  register(body: RegisterBody): Promise<Me>;
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

  async bootstrap() {
    set({ bootError: null });
    try {
      const { user } = await api.get<{ user: Me }>("/api/users/me");
      set({ user, status: "signedIn" });
      // Cookies set outside our sight (OIDC callback, a previous visit) may be old.
      if (tokenAge() >= REFRESH_AFTER_MS) void keepFresh();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) set({ user: null, status: "signedOut" });
      else set({ bootError: err instanceof ApiError ? err.message : "Could not load Parley." });
    }
  },

  async login(body) {
    const { user } = await api.post<{ user: Me }>("/api/auth/login", body, { retryAuth: false });
    markTokensFresh();
    set({ user, status: "signedIn", bootError: null });
    broadcast("in");
    return user;
  },

  async register(body) {
    const { user } = await api.post<{ user: Me }>("/api/auth/register", body, { retryAuth: false });
    markTokensFresh();
    set({ user, status: "signedIn", bootError: null });
    broadcast("in");
    return user;
  },

  async logout() {
    // With a stale access cookie the server could not tell which session to revoke.
    if (tokenAge() >= REFRESH_AFTER_MS) await refreshSession().catch(() => {});
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
    set({ user: null, status: "signedOut" });
  },
}));

setAuthLostHandler(() => {
  if (useSession.getState().status !== "signedOut") useSession.getState().signedOut();
});

async function keepFresh(): Promise<void> {
  if (useSession.getState().status !== "signedIn") return;
  try {
    await refreshSession();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) useSession.getState().signedOut();
    // Network errors and 5xx: keep the user here and try again on the next tick.
  }
}

function maybeRefresh(): void {
  if (useSession.getState().status === "signedIn" && tokenAge() >= REFRESH_AFTER_MS) void keepFresh();
}

let started = false;

/** Start the refresh timer and cross-tab listeners (idempotent). */
export function startSessionKeeper(): void {
  if (started) return;
  started = true;
  // A short tick rather than one long timeout: survives sleep and background throttling.
  setInterval(maybeRefresh, 30_000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") maybeRefresh();
  });
  window.addEventListener("focus", maybeRefresh);
  window.addEventListener("online", maybeRefresh);
  window.addEventListener("storage", (e) => {
    if (e.key !== BROADCAST_KEY || !e.newValue) return;
    const s = useSession.getState();
    if (e.newValue.startsWith("out:") && s.status === "signedIn") s.signedOut();
    if (e.newValue.startsWith("in:") && s.status !== "signedIn") void s.bootstrap();
  });
}
