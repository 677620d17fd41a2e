/**
 * Outgoing mail. One interface, two ends: SMTP (nodemailer) when SMTP_URL is set; otherwise
 * the log and the outbox the instance admin reads in the web client, so a small instance
 * without a mail server can still hand people their links.
 */
import type { Config } from "../config";
import type { Logger } from "../obs/log";
import type { Store } from "../store/store";
import { OutboxMailer } from "./outbox";
import { SmtpMailer } from "./smtp";

export interface MailMessage {
  to: string;
  subject: string;
  /** Plain text only: nothing in a mail is rendered as HTML. */
  text: string;
}

export interface Mailer {
  /** Where mail goes: "smtp" or "outbox" (the admin's page says which). */
  readonly kind: "smtp" | "outbox";
  send(m: MailMessage): Promise<void>;
  close(): Promise<void>;
}

export function createMailer(config: Pick<Config, "mail">, store: Store, log: Logger, clock: () => number = Date.now): Mailer {
  return config.mail.smtpUrl ? new SmtpMailer(config.mail.smtpUrl, config.mail.from) : new OutboxMailer(store, log, clock);
}
