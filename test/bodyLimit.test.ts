/**
 * Oversize request bodies, sent over a raw TCP socket to a listening node (port 0): no client
 * library that might send `Expect: 100-continue`, stop early or hide the response. Every refusal
 * must be a 413 carrying the `{error:{code,message}}` JSON shape, never Bun's bare 413 (which it
 * answers before the app sees the request when a body passes Bun.serve's maxRequestBodySize).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { registerUser, startNode, type TestNode } from "./support/parley";

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/**
 * Writes the request head, then `body` (chunked when `chunked`), and reads one response: resolves
 * once its head and Content-Length body are in, whatever the server does with the rest of ours.
 */
function rawRequest(port: number, head: string[], body: Uint8Array, o: { chunked?: boolean; declared?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no complete response; got ${JSON.stringify(buf.toString("latin1").slice(0, 300))}`))), 10_000);
    const done = (r: RawResponse) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    socket.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [statusLine, ...lines] = buf.subarray(0, end).toString("latin1").split("\r\n");
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      const length = Number(headers.get("content-length") ?? 0);
      if (buf.length - end - 4 < length) return;
      done({ status: Number(statusLine!.split(" ")[1]), headers, body: buf.subarray(end + 4, end + 4 + length).toString("utf8") });
    });
    // The server may close once it has answered; what it sent is already in `buf`.
    socket.on("error", () => {});
    socket.on("connect", () => {
      const length = o.chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${o.declared ?? body.length}`;
      socket.write([...head, "Host: 127.0.0.1", length, "", ""].join("\r\n"));
      if (o.chunked) socket.write(`${body.length.toString(16)}\r\n`);
      socket.write(body);
      if (o.chunked) socket.write("\r\n0\r\n\r\n");
    });
  });
}

const errorOf = (r: RawResponse) => {
  expect(r.headers.get("content-type")).toStartWith("application/json");
  return (JSON.parse(r.body) as { error: { code: string; message: string } }).error;
};

describe("bodies over the limit, from a raw socket", () => {
  let node: TestNode;
  let port: number;
  let cookie: string;
  beforeAll(async () => {
    node = await startNode({ ATTACHMENT_MAX_BYTES: "100000" });
    port = node.listen().port!;
    cookie = (await registerUser(node)).jar.header();
  });
  afterAll(() => node.dispose());

  const login = ["POST /api/auth/login HTTP/1.1", "Content-Type: application/json"];
  const twoMb = new TextEncoder().encode(JSON.stringify({ login: "someone", password: "x".repeat(2 * 1024 * 1024) }));

  test("a 2 MB JSON login sent whole with its length and no Expect gets 413 PAYLOAD_TOO_LARGE as JSON", async () => {
    const r = await rawRequest(port, login, twoMb);
    expect(r.status).toBe(413);
    expect(errorOf(r)).toEqual({ code: "PAYLOAD_TOO_LARGE", message: "Request body is larger than 1048576 bytes" });
  });

  test("the same body chunked, with no length to refuse it by, is counted as it streams and gets the same answer", async () => {
    const r = await rawRequest(port, login, twoMb, { chunked: true });
    expect(r.status).toBe(413);
    expect(errorOf(r).code).toBe("PAYLOAD_TOO_LARGE");
  });

  test("declared lengths up to 10^17 (past 2^53, where any numeric cap of Bun's would answer) are refused by the app, not by a bare 413 from Bun", async () => {
    for (const declared of [Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e17]) {
      const r = await rawRequest(port, login, new Uint8Array(1000), { declared });
      expect(r.status).toBe(413);
      expect(errorOf(r).code).toBe("PAYLOAD_TOO_LARGE");
    }
  });

  test("an upload over ATTACHMENT_MAX_BYTES, declared or chunked, gets 413 PAYLOAD_TOO_LARGE as JSON with the limit", async () => {
    const upload = ["POST /api/attachments?name=big.bin HTTP/1.1", "Content-Type: application/octet-stream", `Cookie: ${cookie}`];
    const big = new Uint8Array(300_000).fill(7);
    for (const chunked of [false, true]) {
      const r = await rawRequest(port, upload, big, { chunked });
      expect(r.status).toBe(413);
      const error = errorOf(r);
      expect(error.code).toBe("PAYLOAD_TOO_LARGE");
      expect(error.message).toContain("100000");
    }
  });

  test("the node still answers afterwards", async () => {
    const r = await rawRequest(port, ["GET /healthz HTTP/1.1"], new Uint8Array(0));
    expect([r.status, JSON.parse(r.body)]).toEqual([200, { ok: true }]);
  });
});
