/**
 * SIGTERM on a real node process while a client streams messages: the node stops accepting,
 * answers what it was already writing, closes the socket with 1012 and exits 0 — and every
 * message it acknowledged is in the database, once.
 */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CookieJar, freePort } from "./support/parley";
import { WS_CLOSE } from "../src/shared/protocol";

const root = join(import.meta.dir, "..");

async function waitUp(base: string): Promise<void> {
  // Patient: a node starting on a loaded machine can take many seconds.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await Bun.sleep(50);
  }
}

async function post(base: string, path: string, jar: CookieJar, json?: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: jar.header() },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  jar.update(res);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function register(base: string, username: string): Promise<CookieJar> {
  const jar = new CookieJar();
  await post(base, "/api/auth/register", jar, { email: `${username}@example.com`, username, password: "correct horse battery" });
  await post(base, "/api/auth/login", jar, { login: username, password: "correct horse battery" });
  return jar;
}

describe("SIGTERM", () => {
  test("a node told to stop while messages stream in closes the socket with 1012, exits 0, and has stored every message it acknowledged, once, and answered every one it stored", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-term-"));
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    const proc = Bun.spawn([process.execPath, "src/server/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", DATA_DIR: dir, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", WRITE_BURST: "100000", WS_BURST: "100000", WS_RATE_PER_SECOND: "100000", SHUTDOWN_TIMEOUT_MS: "5000" },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      await waitUp(base);
      const tag = `t${process.pid}${Date.now().toString(36)}`;
      const a = await register(base, `${tag}a`);
      const b = await register(base, `${tag}b`);
      const { request } = await post(base, "/api/friends/requests", a, { username: `${tag}b` });
      const { conversationId } = await post(base, `/api/friends/requests/${request.id}/accept`, b);

      const ws = new WebSocket(`${base.replace("http", "ws")}/ws`, { headers: { cookie: a.header() } } as never);
      const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
      const acked = new Map<string, string>();
      const refused: unknown[] = [];
      let sent = 0;
      let signalled = false;
      ws.addEventListener("message", (m) => {
        const data = JSON.parse(String(m.data));
        if (typeof data.replyTo !== "string" || !data.replyTo.startsWith("m")) return;
        if (data.ok) acked.set(data.replyTo, data.message.id);
        else refused.push(data.error);
        // Stop the node mid-stream, with sends still arriving behind this one.
        if (acked.size === 50 && !signalled) {
          signalled = true;
          proc.kill("SIGTERM");
        }
      });
      await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
      const open = () => ws.readyState === WebSocket.OPEN;
      while (open()) {
        for (let i = 0; i < 10 && open(); i++) {
          sent++;
          ws.send(JSON.stringify({ id: `m${sent}`, type: "message:send", conversationId, clientId: `m${sent}`, content: `message ${sent}` }));
        }
        await Bun.sleep(1);
      }
      const code = await closed;
      const exit = await proc.exited;
      const log = await new Response(proc.stdout).text();
      const stderr = await new Response(proc.stderr).text();

      const db = new Database(join(dir, "parley.db"), { readonly: true });
      const rows = db.query("SELECT id, client_id FROM messages WHERE conversation_id = ? AND kind = 'text'").all(conversationId) as Array<{ id: string; client_id: string }>;
      db.close();
      const byClient = new Map(rows.map((r) => [r.client_id, r.id]));
      const lost = [...acked].filter(([clientId, id]) => byClient.get(clientId) !== id);
      console.log(`SIGTERM drain: sent ${sent}, acknowledged ${acked.size}, refused ${refused.length}, stored ${rows.length}, lost ${lost.length}`);
      // One assertion over everything, so a failure in CI shows the whole picture in one line.
      const seen = {
        closeCode: code,
        exitCode: exit,
        // Drained within SHUTDOWN_TIMEOUT_MS, not cut short by it.
        drained: log.includes('"msg":"shut down","drained":true'),
        enoughAcknowledged: acked.size >= 50,
        refused,
        lost: lost.map(([clientId]) => clientId),
        duplicates: rows.length - byClient.size,
        // What was being written when the signal came was committed and answered before the close.
        storedButUnanswered: rows.filter((r) => !acked.has(r.client_id)).map((r) => r.client_id),
      };
      const expected = { closeCode: WS_CLOSE.RESTART, exitCode: 0, drained: true, enoughAcknowledged: true, refused: [], lost: [], duplicates: 0, storedButUnanswered: [] };
      if (!Bun.deepEquals(seen, expected)) {
        throw new Error(`SIGTERM drain: ${JSON.stringify(seen)}; node stderr: ${stderr.slice(-600)}; node log tail: ${log.slice(-600)}`);
      }
    } finally {
      proc.kill("SIGKILL");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
