/**
 * ICE servers for a new peer connection. TURN credentials expire, so a reply is reused only for
 * its ttlSeconds minus a margin; calls prefetch it (caller on invite, callee when it rings) so it
 * is not on the call-setup critical path.
 */
import { api } from "../api";

export interface IceServersReply {
  iceServers: RTCIceServer[];
  ttlSeconds: number;
  iceTransportPolicy: RTCIceTransportPolicy;
}

let cached: { config: RTCConfiguration; until: number } | null = null;
let inFlight: Promise<RTCConfiguration> | null = null;

/** Seconds of a reply's lifetime not used, so a connection made at the end still has valid credentials. */
function usableMs(ttlSeconds: number): number {
  const margin = Math.max(30, ttlSeconds * 0.1);
  return Math.max(0, ttlSeconds - margin) * 1000;
}

function keep(r: IceServersReply): RTCConfiguration {
  const config: RTCConfiguration = { iceServers: r.iceServers, iceTransportPolicy: r.iceTransportPolicy, bundlePolicy: "max-bundle" };
  const ms = usableMs(r.ttlSeconds);
  cached = ms > 0 ? { config, until: Date.now() + ms } : null;
  return config;
}

/** A guest's servers arrive with their session (they cannot call /api/rtc/ice-servers). */
export function seedIceConfig(r: IceServersReply): void {
  keep(r);
}

function load(): Promise<RTCConfiguration> {
  inFlight ??= api
    .get<IceServersReply>("/api/rtc/ice-servers")
    .then(keep)
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}

export function fetchIceConfig(): Promise<RTCConfiguration> {
  if (cached && Date.now() < cached.until) return Promise.resolve(cached.config);
  return load();
}

/** Starts fetching (if nothing fresh is cached) without waiting; failures are left to the next fetchIceConfig. */
export function prefetchIceConfig(): void {
  fetchIceConfig().catch(() => {});
}
