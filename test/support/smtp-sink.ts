/** A real SMTP server for tests (smtp-server on port 0): keeps every message it receives, parsed. */
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import { until } from "./browser";

export interface SunkMail {
  to: string;
  from: string;
  subject: string;
  text: string;
}

export interface SmtpSink {
  url: string;
  messages: SunkMail[];
  /** Waits for the next message to `to` (after `seen` of them) and returns it. */
  next(to: string, seen?: number): Promise<SunkMail>;
  /** How many messages `to` has received so far. */
  count(to: string): number;
  /** The first link in a message whose path starts with `path`. */
  link(m: SunkMail, path: string): string;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SunkMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => {
          const to = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address ?? "")).join(",");
          messages.push({ to, from: m.from?.text ?? "", subject: m.subject ?? "", text: m.text ?? "" });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  const to = (address: string) => messages.filter((m) => m.to === address.toLowerCase());
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    count: (address) => to(address).length,
    async next(address, seen = 0) {
      await until(`mail #${seen + 1} to ${address}`, () => to(address).length > seen, 15_000);
      return to(address)[seen]!;
    },
    link(m, path) {
      const found = m.text.match(/https?:\/\/\S+/g)?.find((u) => new URL(u).pathname.startsWith(path));
      if (!found) throw new Error(`no ${path} link in: ${m.text}`);
      return found;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
