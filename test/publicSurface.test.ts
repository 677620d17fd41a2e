/** What the public port shows to anyone: malformed paths, and /metrics only where configured. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../src/server/obs/log";
import { startNode, type TestNode } from "./support/parley";

const TOKEN = "metrics-token-for-tests-0123456789";

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe("malformed static paths", () => {
  let node: TestNode;
  let dir: string;
  const logged: Array<{ level: string; msg: string }> = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-static-"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>Parley</title>");
    writeFileSync(join(dir, "café.txt"), "accented");
    const log = createLogger("debug", (line) => void logged.push(JSON.parse(line)));
    node = await startNode({}, { staticDir: dir, log });
  });
  afterAll(async () => {
    await node.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test("are answered 400 VALIDATION_ERROR as JSON and log nothing above debug", async () => {
    for (const path of ["/%ff", "/a%00b", "/%c0%ae%c0%ae/etc/passwd", "/api/%ff", "/%ed%a0%80"]) {
      const res = await node.req(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(await errorCode(res)).toBe("VALIDATION_ERROR");
    }
    expect(logged.filter((l) => l.level !== "debug")).toEqual([]);
    expect(logged.length).toBeGreaterThan(0);
  });

  test("well-formed encoded paths still reach their files or the client", async () => {
    const file = await node.req("/caf%C3%A9.txt");
    expect(file.status).toBe(200);
    expect(await file.text()).toBe("accented");
    const page = await node.req("/spaces/%E2%9C%93");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Parley</title>");
    const escape = await node.req("/..%2f..%2fetc%2fpasswd");
    expect(await escape.text()).toContain("<title>Parley</title>");
  });
});

describe("/metrics", () => {
  test("is not served on the public port by default", async () => {
    const node = await startNode();
    try {
      const res = await node.req("/metrics");
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("parley_http_requests_total");
    } finally {
      await node.dispose();
    }
  });

  test("on the public port with METRICS_TOKEN, answers only the bearer of the token", async () => {
    const node = await startNode({ METRICS_TOKEN: TOKEN });
    try {
      await node.req("/api/users/me");
      for (const authorization of [undefined, "Bearer wrong-token-of-some-length", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
        const res = await node.req("/metrics", { headers: authorization ? { authorization } : {} });
        expect(res.status).toBe(401);
        expect(await errorCode(res)).toBe("UNAUTHORIZED");
      }
      const res = await node.req("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('parley_http_requests_total{method="GET",route="/api/users/me",status="401"}');
      expect(text).toContain('parley_http_request_duration_seconds_bucket{method="GET",route="/api/users/me",le="+Inf"}');
      expect(text).toMatch(/process_resident_memory_bytes \d+/);
    } finally {
      await node.dispose();
    }
  });

  test("METRICS_PORT serves it on a listener of its own and nothing else there", async () => {
    const node = await startNode({ METRICS_PORT: "0" });
    try {
      const server = node.listen();
      const metricsServer = node.metricsServer();
      expect(metricsServer).toBeDefined();
      expect(metricsServer!.port).not.toBe(server.port);
      await fetch(`http://127.0.0.1:${server.port}/api/users/me`);
      const text = await (await fetch(`http://127.0.0.1:${metricsServer!.port}/metrics`)).text();
      expect(text).toContain('parley_http_requests_total{method="GET",route="/api/users/me",status="401"}');
      expect(text).toMatch(/parley_ws_connections \d+/);
      expect((await fetch(`http://127.0.0.1:${metricsServer!.port}/api/users/me`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
    } finally {
      await node.dispose();
    }
    expect(node.metricsServer()).toBeDefined();
  });
});
