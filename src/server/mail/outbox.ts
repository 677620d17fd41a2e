/**
 * Mail without an SMTP server: each message is logged (info) and kept in the database's outbox
 * (the newest OUTBOX_KEEP), which instance admins read at /admin/outbox — every node sees it.
 */
import { newId } from "../../shared/ids";
import type { Logger } from "../obs/log";
import type { Store } from "../store/store";
import type { MailMessage, Mailer } from "./mailer";

export class OutboxMailer implements Mailer {
  readonly kind = "outbox";

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly clock: () => number,
  ) {}

  async send(m: MailMessage): Promise<void> {
    this.log.info("mail (no SMTP_URL: kept in the outbox)", { to: m.to, subject: m.subject, text: m.text });
    const now = this.clock();
    await this.store.mail.addToOutbox({ id: newId(now), to_address: m.to, subject: m.subject, text: m.text, created_at: new Date(now).toISOString() });
  }

  async close(): Promise<void> {}
}
