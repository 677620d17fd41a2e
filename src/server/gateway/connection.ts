/** Per-socket state: who it is, a token bucket for frames, liveness and the token's expiry. */
import type { Actor } from "../auth/service";
import type { DeviceActor, GuestScope } from "../calls/core";

export interface SocketData {
  actor: Actor;
  /** Set for a room guest's socket: `actor.userId` is then the guest id and only guest frames pass. */
  guest?: GuestScope;
  connectionId: string;
  /** Access-token expiry, epoch seconds: the socket is closed with 4401 then. */
  exp: number;
  lastSeen: number;
  tokens: number;
  refilledAt: number;
  /** Frames refused for rate in the current strike window. */
  strikes: number;
  strikeWindowStart: number;
  /** Resolves once the socket is subscribed to its topics; frames wait for it. */
  ready: Promise<void>;
  /** Spaces this socket is subscribed to (for channels created later). */
  spaces: Set<string>;
  expiryTimer?: ReturnType<typeof setTimeout>;
  /** What frame handlers are given as the actor: `actor` with this socket's id (and a guest's scope and expiry), built on the first frame. */
  handlerActor?: DeviceActor & { guest?: GuestScope; exp?: number };
}

export interface RateLimits {
  ratePerSecond: number;
  burst: number;
}

/** Strikes within this window that end the connection (sustained abuse). */
const STRIKE_WINDOW_MS = 10_000;
const MAX_STRIKES = 50;

export type RateVerdict = "ok" | "limited" | "abusive";

export function takeToken(d: SocketData, limits: RateLimits, now: number): RateVerdict {
  d.tokens = Math.min(limits.burst, d.tokens + ((now - d.refilledAt) / 1000) * limits.ratePerSecond);
  d.refilledAt = now;
  if (d.tokens >= 1) {
    d.tokens -= 1;
    return "ok";
  }
  if (now - d.strikeWindowStart > STRIKE_WINDOW_MS) {
    d.strikeWindowStart = now;
    d.strikes = 0;
  }
  d.strikes++;
  return d.strikes > MAX_STRIKES ? "abusive" : "limited";
}
