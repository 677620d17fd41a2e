/** Mail through an SMTP server (SMTP_URL: smtp://user:pass@host:port, or smtps:// for TLS from the start). */
import nodemailer, { type Transporter } from "nodemailer";
import type { MailMessage, Mailer } from "./mailer";

export class SmtpMailer implements Mailer {
  readonly kind = "smtp";
  readonly #transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    // One pooled connection: account mail is rare, and a pool reuses the TLS handshake.
    this.#transport = nodemailer.createTransport(url, { pool: true, maxConnections: 1 } as never);
  }

  async send(m: MailMessage): Promise<void> {
    await this.#transport.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text });
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
