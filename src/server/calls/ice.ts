/**
 * ICE servers for clients: STUN as configured, and TURN with ephemeral "TURN REST"
 * credentials (coturn's use-auth-secret): username "<expiry>:<userId>", credential
 * base64(HMAC-SHA1(secret, username)). coturn checks the same HMAC and the expiry.
 */
import { createHmac } from "node:crypto";
import type { Actor } from "../auth/service";

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export function turnCredential(secret: string, username: string): string {
  return createHmac("sha1", secret).update(username).digest("base64");
}

export class IceService {
  constructor(
    private readonly rtc: { stunUrls: string[]; turnUrls: string[]; turnSecret: string | null; turnTtlSeconds: number; forceRelay: boolean },
    private readonly clock: () => number = Date.now,
  ) {}

  /** With forceRelay, clients use only TURN candidates (hides users' addresses from each other). */
  servers(actor: Actor): { iceServers: IceServer[]; ttlSeconds: number; iceTransportPolicy: "all" | "relay" } {
    const iceServers: IceServer[] = [];
    if (this.rtc.stunUrls.length) iceServers.push({ urls: this.rtc.stunUrls });
    if (this.rtc.turnUrls.length && this.rtc.turnSecret) {
      const expiry = Math.floor(this.clock() / 1000) + this.rtc.turnTtlSeconds;
      const username = `${expiry}:${actor.userId}`;
      iceServers.push({ urls: this.rtc.turnUrls, username, credential: turnCredential(this.rtc.turnSecret, username) });
    }
    return { iceServers, ttlSeconds: this.rtc.turnTtlSeconds, iceTransportPolicy: this.rtc.forceRelay ? "relay" : "all" };
  }
}
