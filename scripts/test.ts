/**
 * `npm test`: builds the client (the browser suites drive the production bundle), runs every
 * suite with bun test, runs the service suites a second time on PostgreSQL when
 * TEST_DATABASE_URL is set, and ends with one line: "N passed, N failed, N skipped".
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const artifacts = join(root, "test-artifacts");
mkdirSync(artifacts, { recursive: true });

/** Suites whose nodes run on whichever store TEST_STORE names. */
const SERVICE_SUITES = ["auth", "http", "friends", "profile", "groups", "systemMessages", "spaceJoinMessages", "typing", "catchUp", "gateway", "fuzz", "calls", "groupCalls", "rooms", "spaces", "invites", "notifyLevel", "limits", "listCost", "lockout", "reactions", "messageEdits", "threads", "search", "helloCache", "attachments", "accountMail", "admin", "audit", "accountDeletion", "accountExport"].map((s) => `test/${s}.test.ts`);

const totals = { passed: 0, failed: 0, skipped: 0 };

/** Lines worth repeating at the end, so the cause of a red run sits next to the summary. */
const NOTABLE = /^\(fail\)|Unhandled error|^error:|panic|Segmentation fault|Killed|out of memory/i;
const notable: string[] = [];

async function pipe(stream: ReadableStream<Uint8Array>, out: NodeJS.WriteStream, label: string): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const chunk = r.value;
    out.write(chunk);
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (NOTABLE.test(line)) notable.push(`[${label}] ${line.trim()}`);
  }
}

async function run(label: string, args: string[], env: Record<string, string | undefined>): Promise<void> {
  const junit = join(artifacts, `junit-${label}.xml`);
  console.log(`\n== ${label} ==`);
  const proc = Bun.spawn([process.execPath, "test", "--timeout", "120000", "--reporter=junit", `--reporter-outfile=${junit}`, ...args], {
    cwd: root,
    stdout: "pipe",
    stderr: "pipe",
    env,
  });
  await Promise.all([pipe(proc.stdout, process.stdout, label), pipe(proc.stderr, process.stderr, label)]);
  const exitCode = await proc.exited;
  let failed = 0;
  try {
    const head = /<testsuites\b([^>]*)>/.exec(readFileSync(junit, "utf8"))?.[1] ?? "";
    const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(head)?.[1] ?? 0);
    failed = attr("failures") + attr("errors");
    totals.skipped += attr("skipped");
    totals.passed += attr("tests") - failed - attr("skipped");
  } catch {
    notable.push(`[${label}] no junit report was written`);
  }
  // Errors outside any test (a file that fails to load, an error between tests, a crash) fail
  // the run without a failed test; count them once and say so.
  if (exitCode !== 0 && failed === 0) {
    notable.push(`[${label}] bun test exited with ${exitCode}${proc.signalCode ? ` (${proc.signalCode})` : ""} although no test failed`);
    failed = 1;
  }
  totals.failed += failed;
}

const build = Bun.spawnSync([process.execPath, "scripts/build.ts"], { cwd: root, stdout: "inherit", stderr: "inherit" });
if (build.exitCode !== 0) {
  console.log("client build failed");
  console.log("0 passed, 1 failed, 0 skipped");
  process.exit(1);
}

const filters = process.argv.slice(2);
await run("all", filters, { ...process.env, TEST_STORE: undefined });
if (filters.length === 0) {
  if (process.env.TEST_DATABASE_URL) await run("postgres", SERVICE_SUITES, { ...process.env, TEST_STORE: "postgres" });
  else console.log("\nservice suites on PostgreSQL: skipped (TEST_DATABASE_URL not set)");
}
if (notable.length > 0) console.log(`\nWhat went wrong:\n${notable.join("\n")}\n`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
