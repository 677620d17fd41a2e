/** test/support/netns.ts: namespaces made at once, in one process or in several, each get their own subnet and interfaces. */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { createNetns, IP, netnsMissing } from "./support/netns";

const missing = netnsMissing();
if (missing) console.warn(`netns: skipped, needs ${missing}`);

type Made = { name: string; hostIp: string; nsIp: string; hostIf: string };

/** Whether a process inside namespace `name` gets this host's server on `hostIp`: "" when it does, else why not. */
async function reach(name: string, hostIp: string, port: number): Promise<string> {
  const get = Bun.spawn([IP!, "netns", "exec", name, process.execPath, "-e", `process.exit((await fetch("http://${hostIp}:${port}/", { signal: AbortSignal.timeout(5000) })).status === 204 ? 0 : 1)`], { stdout: "ignore", stderr: "pipe" });
  return (await get.exited) === 0 ? "" : `${name}: ${await new Response(get.stderr).text()}`;
}

async function namespaces(): Promise<string[]> {
  return (await new Response(Bun.spawn([IP!, "netns", "list"], { stdout: "pipe" }).stdout).text()).split("\n").map((l) => l.split(" ")[0]!);
}

/** A separate bun process running support/netns-child.ts, asked one line at a time. */
async function child(wrapper: string[] = []) {
  const proc = Bun.spawn([...wrapper, process.execPath, join(import.meta.dir, "support/netns-child.ts")], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const line = async (): Promise<string> => {
    while (!buffered.includes("\n")) {
      const r = await reader.read();
      if (r.done) throw new Error(`netns child exited (${await proc.exited}) before answering`);
      buffered += decoder.decode(r.value, { stream: true });
    }
    const at = buffered.indexOf("\n");
    const first = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return first;
  };
  expect(await line()).toBe("ready");
  const ask = (what: string) => {
    proc.stdin.write(`${what}\n`);
    proc.stdin.flush();
    return line();
  };
  return { proc, ask, create: async () => JSON.parse(await ask("go")) as Made | { error: string } };
}

test.skipIf(missing !== null)("three namespaces created at once get distinct subnets and interfaces, and each reaches this host", async () => {
  const server = Bun.serve({ hostname: "0.0.0.0", port: 0, fetch: () => new Response(null, { status: 204 }) });
  const made = await Promise.allSettled([createNetns(), createNetns(), createNetns()]);
  const ok = made.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  try {
    expect(made.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(["ok", "ok", "ok"]);
    expect(new Set(ok.map((n) => n.hostIp)).size).toBe(3);
    expect(new Set(ok.map((n) => n.hostIf)).size).toBe(3);
    expect(await Promise.all(ok.map((n) => reach(n.name, n.hostIp, server.port!)))).toEqual(["", "", ""]);
  } finally {
    await Promise.all(ok.map((n) => n.close()));
    await server.stop(true);
  }
}, 30_000);

// Each in a PID namespace of its own, both processes are pid 1: whatever either derives from its
// pid, the other derives too, as two containers sharing this host's network would.
test.skipIf(missing !== null)("two test processes creating namespaces at the same moment get distinct names, subnets and interfaces, each reaches this host, and one closing leaves the other working", async () => {
  const server = Bun.serve({ hostname: "0.0.0.0", port: 0, fetch: () => new Response(null, { status: 204 }) });
  const [a, b] = await Promise.all([child(["unshare", "--pid", "--fork", "--kill-child"]), child(["unshare", "--pid", "--fork", "--kill-child"])]);
  try {
    const [ma, mb] = await Promise.all([a.create(), b.create()]);
    expect([ma, mb].map((m) => ("error" in m ? m.error : "ok"))).toEqual(["ok", "ok"]);
    const [na, nb] = [ma, mb] as Made[];
    expect([na!.name === nb!.name, na!.hostIp === nb!.hostIp, na!.hostIf === nb!.hostIf]).toEqual([false, false, false]);
    expect(await Promise.all([na!, nb!].map((n) => reach(n.name, n.hostIp, server.port!)))).toEqual(["", ""]);
    expect(await a.ask("close")).toBe("closed");
    expect(await reach(nb!.name, nb!.hostIp, server.port!)).toBe("");
    const left = await namespaces();
    expect([left.includes(na!.name), left.includes(nb!.name)]).toEqual([false, true]);
    expect(await b.ask("close")).toBe("closed");
  } finally {
    // unshare ignores SIGTERM while it waits for its child.
    a.proc.kill(9);
    b.proc.kill(9);
    await Promise.all([a.proc.exited, b.proc.exited]);
    await server.stop(true);
  }
}, 30_000);

test.skipIf(missing !== null)("a namespace whose process died without closing it is removed by the next createNetns, and a live process's is kept", async () => {
  const [dead, live] = await Promise.all([child(), child()]);
  try {
    const [md, ml] = (await Promise.all([dead.create(), live.create()])) as Made[];
    dead.proc.kill(9);
    await dead.proc.exited;
    const ns = await createNetns();
    await ns.close();
    const left = await namespaces();
    expect([left.includes(md!.name), left.includes(ml!.name)]).toEqual([false, true]);
    expect(await live.ask("close")).toBe("closed");
  } finally {
    dead.proc.kill();
    live.proc.kill();
    await Promise.all([dead.proc.exited, live.proc.exited]);
  }
}, 30_000);
