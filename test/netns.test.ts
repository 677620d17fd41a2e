/** test/support/netns.ts: namespaces made at once in one process each get their own subnet and interfaces. */
import { expect, test } from "bun:test";
import { createNetns, netnsMissing } from "./support/netns";

const missing = netnsMissing();
if (missing) console.warn(`netns: skipped, needs ${missing}`);

test.skipIf(missing !== null)("three namespaces created at once get distinct subnets and interfaces, and each reaches this host", async () => {
  const server = Bun.serve({ hostname: "0.0.0.0", port: 0, fetch: () => new Response(null, { status: 204 }) });
  const made = await Promise.allSettled([createNetns(), createNetns(), createNetns()]);
  const ok = made.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  try {
    expect(made.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(["ok", "ok", "ok"]);
    expect(new Set(ok.map((n) => n.hostIp)).size).toBe(3);
    expect(new Set(ok.map((n) => n.hostIf)).size).toBe(3);
    for (const ns of ok) {
      const get = Bun.spawn(ns.exec([process.execPath, "-e", `process.exit((await fetch("http://${ns.hostIp}:${server.port}/")).status === 204 ? 0 : 1)`]), { stdout: "ignore", stderr: "pipe" });
      expect([await get.exited, await new Response(get.stderr).text()]).toEqual([0, ""]);
    }
  } finally {
    await Promise.all(ok.map((n) => n.close()));
    await server.stop(true);
  }
}, 30_000);
