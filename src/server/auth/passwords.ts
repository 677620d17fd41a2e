/**
 * argon2id through Bun.password, behind a concurrency cap: each hash or verify holds a core
 * for ~43 ms with these parameters (bench/http.ts measures it), so a burst of logins must queue.
 */
import { ConcurrencyCap } from "./limiter";

export const ARGON2 = { algorithm: "argon2id", memoryCost: 19456, timeCost: 2 } as const;

export class PasswordHasher {
  readonly #cap: ConcurrencyCap;
  /** Verified against for unknown users so their timing matches a wrong password. */
  #dummy: Promise<string> | null = null;

  constructor(concurrency: number, queue: number) {
    this.#cap = new ConcurrencyCap(concurrency, queue);
  }

  hash(password: string): Promise<string> {
    return this.#cap.run(() => Bun.password.hash(password, ARGON2));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.#cap.run(() => Bun.password.verify(password, hash));
  }

  async verifyNothing(password: string): Promise<false> {
    this.#dummy ??= Bun.password.hash("parley-timing-equaliser", ARGON2);
    await this.verify(password, await this.#dummy);
    return false;
  }
}
