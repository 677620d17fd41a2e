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
    // A connection per mail: account mail is rare. (`?pool=true` in SMTP_URL keeps one open.)
    this.#transport = nodemailer.createTransport(url);
  }

  async send(m: MailMessage): Promise<void> {
    await this.#transport.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text });
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
