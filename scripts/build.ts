/**
 * Production build of the web client: src/client/index.html → dist/ with hashed,
 * minified assets (Tailwind compiled by bun-plugin-tailwind). The server serves dist/.
 */
import tailwind from "bun-plugin-tailwind";
import { rm } from "node:fs/promises";
import { join, relative } from "node:path";

const root = join(import.meta.dir, "..");
const outdir = join(root, "dist");

await rm(outdir, { recursive: true, force: true });

const started = performance.now();
const result = await Bun.build({
  entrypoints: [join(root, "src/client/index.html")],
  outdir,
  minify: true,
  sourcemap: "linked",
  target: "browser",
  // Absolute URLs: index.html is also served for deep links like /settings/sessions.
  publicPath: "/",
  // Heavy, rarely needed parts (code colours, the emoji data set) load as chunks on first use.
  splitting: true,
  naming: { entry: "[dir]/[name].[ext]", chunk: "assets/[name]-[hash].[ext]", asset: "assets/[name]-[hash].[ext]" },
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  plugins: [tailwind],
});

if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}

for (const out of result.outputs) {
  const kb = (out.size / 1024).toFixed(1).padStart(8);
  console.log(`${kb} KB  ${relative(root, out.path)}`);
}
console.log(`built ${result.outputs.length} files in ${Math.round(performance.now() - started)} ms`);
