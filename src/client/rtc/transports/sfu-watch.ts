/**
 * Watches one SFU link (publish or subscribe) for the ways it dies that only this end can see
 * and mend: it fails, stays "disconnected" past LINK_LOST_MS, or never gets connected at all
 * within LINK_CONNECT_MS of starting to connect (ICE up but the SFU's DTLS never answering
 * leaves it "connecting" for good). Nothing restarts ICE on the SFU's end of a link, and a DTLS
 * transport that failed or closed there cannot be renegotiated: the owner starts over on fresh
 * links. Its timers live until close(), which the owner calls when the links go.
 */

/** A link "disconnected" this long is taken for dead: ICE recovers a brief outage by itself first. */
export const LINK_LOST_MS = 4_000;
/**
 * A link still not connected this long after it started connecting is taken for dead. Healthy
 * links on a shared 2-core machine went from "connecting" to "connected" in 0.006–2.8 s (41
 * connections, mesh and SFU, three sfuCalls e2e runs); a join benchmark at load 45 saw the
 * embedded SFU's links take up to 17 s (docs/BENCHMARKS.md), and a TURN-relayed link spends a few
 * round trips more on ICE. 20 s stays clear of those: a restart re-joins and renegotiates, adding
 * load where it is already short, and the owner's backoff spaces out further tries. Only a
 * link's first connection is timed: one connected once is watched as "disconnected" instead
 * (an ICE restart included).
 */
export const LINK_CONNECT_MS = 20_000;

export type LinkDeath = "failed" | "disconnected" | "never-connected";

export class LinkWatch {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #connectedOnce = false;
  #closed = false;

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly dead: (why: LinkDeath) => void,
  ) {
    pc.addEventListener("connectionstatechange", this.#check);
    this.#check();
  }

  readonly #check = (): void => {
    if (this.#closed) return;
    const state = this.pc.connectionState;
    if (state === "connected") this.#connectedOnce = true;
    if (state === "failed") return this.#report("failed");
    if (state === "disconnected") return this.#arm(LINK_LOST_MS, "disconnected", () => this.pc.connectionState === "disconnected");
    // The first "connecting" starts the clock; a later state change does not restart it.
    if (state === "connecting" && !this.#connectedOnce) {
      if (this.#timer === undefined) this.#arm(LINK_CONNECT_MS, "never-connected", () => this.pc.connectionState === "connecting");
      return;
    }
    this.#disarm();
  };

  #arm(ms: number, why: LinkDeath, still: () => boolean): void {
    this.#disarm();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (still()) this.#report(why);
    }, ms);
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #report(why: LinkDeath): void {
    if (this.#closed) return;
    this.close();
    this.dead(why);
  }

  /** Stops watching: no report comes after it. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    this.pc.removeEventListener("connectionstatechange", this.#check);
  }
}
