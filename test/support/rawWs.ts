/**
 * A WebSocket client over a raw TCP socket whose reading can be paused: the upgrade is done by
 * hand, so a test can play a client that stops reading (a phone on a bad link, a stuck tab)
 * while the server keeps writing to it. Only what such a test needs: text frames both ways.
 */
import type { Socket } from "bun";
import type { CookieJar } from "./parley";

export interface RawWs {
  /** Text frames received so far, in order (a frame cut short by a close is left out). */
  readonly texts: string[];
  /** Resolves when the TCP connection ends, from either side. */
  readonly ended: Promise<void>;
  send(text: string): void;
  pause(): void;
  resume(): void;
  close(): void;
}

export async function connectRaw(base: string, jar: CookieJar): Promise<RawWs> {
  const url = new URL(base);
  let buf: Buffer = Buffer.alloc(0);
  let upgraded: (ok: boolean) => void = () => {};
  const handshake = new Promise<boolean>((resolve) => (upgraded = resolve));
  let onEnd: () => void = () => {};
  const ended = new Promise<void>((resolve) => (onEnd = resolve));
  const texts: string[] = [];
  let open = false;
  const sock: Socket<undefined> = await Bun.connect({
    hostname: url.hostname,
    port: Number(url.port),
    socket: {
      data(_s, chunk) {
        buf = Buffer.concat([buf, chunk]);
        if (!open) {
          const head = buf.indexOf("\r\n\r\n");
          if (head < 0) return;
          open = true;
          upgraded(buf.subarray(0, head).toString().startsWith("HTTP/1.1 101"));
          buf = buf.subarray(head + 4);
        }
        buf = readFrames(buf, texts);
      },
      close: () => onEnd(),
      end: () => onEnd(),
      error: () => onEnd(),
    },
  });
  sock.write(
    `GET /ws HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: ${jar.header()}\r\n\r\n`,
  );
  if (!(await handshake)) throw new Error("upgrade refused");
  return {
    texts,
    ended,
    send: (text) => void sock.write(maskedText(text)),
    pause: () => void sock.pause(),
    resume: () => void sock.resume(),
    close: () => sock.end(),
  };
}

/** Takes every complete server frame off the front of `buf` (text ones into `texts`); returns the rest. */
function readFrames(buf: Buffer, texts: string[]): Buffer {
  for (;;) {
    if (buf.length < 2) return buf;
    let len = buf[1]! & 0x7f;
    let at = 2;
    if (len === 126) {
      if (buf.length < 4) return buf;
      len = buf.readUInt16BE(2);
      at = 4;
    } else if (len === 127) {
      if (buf.length < 10) return buf;
      len = Number(buf.readBigUInt64BE(2));
      at = 10;
    }
    if (buf.length < at + len) return buf;
    if ((buf[0]! & 0x0f) === 1) texts.push(buf.subarray(at, at + len).toString());
    buf = buf.subarray(at + len);
  }
}

/** A client's text frame, masked as RFC 6455 requires (a zero mask: the bytes go as they are). */
function maskedText(text: string): Buffer {
  const body = Buffer.from(text);
  const head = body.length < 126 ? Buffer.from([0x81, 0x80 | body.length]) : Buffer.from([0x81, 0x80 | 126, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([head, Buffer.alloc(4), body]);
}
