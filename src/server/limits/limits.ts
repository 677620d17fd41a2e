/**
 * Per-user budgets shared by REST and the gateway, so a user's sockets and requests draw on
 * one bucket: writes (messages, invites, spaces, friend requests, profile changes, …) and
 * expensive reads (hello and list endpoints). Anonymous routes are keyed by client address.
 * Budgets live in this node's memory: with several nodes behind a balancer each node grants
 * the full budget (documented in README and ARCHITECTURE).
 */
import type { Config } from "../config";
import { WindowLimiter } from "../auth/limiter";
import { TokenBuckets } from "./buckets";

const HOUR_MS = 3600_000;

export class Limits {
  readonly #writes: TokenBuckets;
  readonly #reads: TokenBuckets;
  readonly #friendTargets: WindowLimiter;

  constructor(config: Config["limits"], now: () => number = Date.now) {
    this.#writes = new TokenBuckets(config.write, now);
    this.#reads = new TokenBuckets(config.read, now);
    this.#friendTargets = new WindowLimiter(config.friendRequestsPerTargetPerHour, HOUR_MS, now);
  }

  /** One write by a signed-in user. */
  write(userId: string): void {
    this.#writes.take(`u:${userId}`, "changes");
  }

  /** One expensive read (hello, a list) by a signed-in user. */
  read(userId: string): void {
    this.#reads.take(`u:${userId}`, "requests");
  }

  /** One request from an address that is not signed in. */
  anonymous(ip: string): void {
    this.#reads.take(`ip:${ip}`, "requests");
  }

  /** One friend request from `from` to `to`: each target hears of a given sender only so often. */
  friendRequest(from: string, to: string): void {
    this.#friendTargets.hit(`${from}>${to}`);
  }
}
