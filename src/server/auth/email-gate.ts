/**
 * REQUIRE_EMAIL_VERIFICATION: accounts whose email is not proven may sign in and read, but not
 * send messages (EMAIL_NOT_VERIFIED). A proven email stays proven (a new address takes effect
 * only once proven), so each node remembers who passed and the send path reads the account
 * once per user, not once per message.
 */
import { AppError } from "../../shared/errors";
import type { Store } from "../store/store";

/** Remembered users at most; the set starts over past it. */
const REMEMBERED_MAX = 100_000;

export interface SendGate {
  /** Throws EMAIL_NOT_VERIFIED when this user may not send yet. */
  assert(userId: string): Promise<void>;
}

export const OPEN_GATE: SendGate = { assert: async () => {} };

export class VerifiedEmailGate implements SendGate {
  readonly #verified = new Set<string>();

  constructor(private readonly store: Store) {}

  async assert(userId: string): Promise<void> {
    if (this.#verified.has(userId)) return;
    const user = await this.store.accounts.userById(userId);
    if (!user || Number(user.email_verified) !== 1) {
      throw new AppError("EMAIL_NOT_VERIFIED", "Verify your email address before sending messages: follow the link we mailed you");
    }
    if (this.#verified.size >= REMEMBERED_MAX) this.#verified.clear();
    this.#verified.add(userId);
  }
}
