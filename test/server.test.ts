import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNode } from "./support/parley";

const root = join(import.meta.dir, "..");

async function waitFor(url: string, ms = 15_000): Promise<Response> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fetch(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await Bun.sleep(100);
    }
  }
}

describe("process", () => {
  test("the server starts with no configuration beyond a data dir, creates its database, answers healthz and says PUBLIC_URL is unset", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-main-"));
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const proc = Bun.spawn([process.execPath, "src/server/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", DATA_DIR: dir, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info" },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const res = await waitFor(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect(await Bun.file(join(dir, "parley.db")).exists()).toBe(true);
      expect(await Bun.file(join(dir, "jwt-secret")).exists()).toBe(true);
    } finally {
      proc.kill();
      await proc.exited;
      // Start-up says, once, that PUBLIC_URL is unset and what that means for links.
      const unset = (await new Response(proc.stdout).text()).split("\n").filter((l) => l.includes("PUBLIC_URL is unset"));
      expect(unset).toHaveLength(1);
      expect(unset[0]).toContain("address each user opened Parley at");
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("bad configuration exits at once with a message naming the variable", async () => {
    const proc = Bun.spawn([process.execPath, "src/server/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", PORT: "not-a-port", DATA_DIR: mkdtempSync(join(tmpdir(), "parley-bad-")) },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await proc.exited).toBe(2);
    expect(await new Response(proc.stderr).text()).toContain("PORT");
  }, 30_000);

  test("connections beyond the server's cap are refused cleanly with 503", async () => {
    const node = await startNode({ MAX_CONNECTIONS: "1" });
    const server = node.listen();
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          fetch(`${base}/api/auth/login`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ login: `nobody_${i}`, password: "whatever-123" }),
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses).toContain(503);
      expect(statuses).toContain(401);
      const refused = results.find((r) => r.status === 503)!;
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("UNAVAILABLE");
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      await node.dispose();
    }
  }, 30_000);
});

describe("body limit over a real socket", () => {
  const big = JSON.stringify({ login: "someone", password: "x".repeat(2 * 1024 * 1024) });

  test("a 2 MB JSON body is refused with 413 and a PAYLOAD_TOO_LARGE error body", async () => {
    const node = await startNode();
    const server = node.listen();
    try {
      const url = `http://127.0.0.1:${server.port}/api/auth/login`;
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: big });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
      // The same without a declared length: counted as it streams.
      const stream = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) });
      const chunked = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: stream });
      expect(chunked.status).toBe(413);
      expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    } finally {
      await node.dispose();
    }
  }, 30_000);
});
