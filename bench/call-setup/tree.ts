/** The private, built copy of the measured source that the server runs from. */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, fmt, onCleanup } from "../lib/harness";
import { SOURCE, opt } from "./options";

/** Short content hash of a built dist/ (names and bytes), to say which client was measured. */
function bundleHash(dir: string): string {
  const h = new Bun.CryptoHasher("sha256");
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith(".map")) {
        h.update(p.slice(dir.length));
        h.update(readFileSync(p));
      }
    }
  };
  walk(dir);
  return h.digest("hex").slice(0, 12);
}

/** Copies SOURCE (and builds its client there); returns the copy and its bundle's hash. */
export function prepareTree(): { tree: string; bundle: string } {
  // A private copy of the source, built there: edits or rebuilds of dist/ by anyone else during the
  // run cannot mix client versions into the numbers, and the shared dist/ is left alone.
  const tree = mkdtempSync(join(tmpdir(), "parley-bench-tree-"));
  onCleanup(() => rmSync(tree, { recursive: true, force: true }));
  for (const entry of ["src", "scripts", "package.json", "tsconfig.json", "bunfig.toml", ...(opt["no-build"] ? ["dist"] : [])]) {
    if (existsSync(join(SOURCE, entry))) cpSync(join(SOURCE, entry), join(tree, entry), { recursive: true });
  }
  symlinkSync(existsSync(join(SOURCE, "node_modules")) ? join(SOURCE, "node_modules") : join(ROOT, "node_modules"), join(tree, "node_modules"));
  if (!opt["no-build"]) {
    const t = performance.now();
    const r = Bun.spawnSync([process.execPath, "scripts/build.ts"], { cwd: tree, stdout: "pipe", stderr: "pipe", timeout: 300_000 });
    if (r.exitCode !== 0) throw new Error(`client build failed (${r.exitCode}):\n${r.stderr.toString()}${r.stdout.toString()}`);
    console.error(`built the client (scripts/build.ts) in a copy of ${SOURCE} in ${fmt((performance.now() - t) / 1000, 1)} s`);
  }
  if (!existsSync(join(tree, "dist", "index.html"))) throw new Error("dist/index.html missing: build the client (bun scripts/build.ts)");
  return { tree, bundle: bundleHash(join(tree, "dist")) };
}
