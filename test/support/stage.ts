/**
 * The stage most browser suites share: one node serving the production bundle, one Chromium,
 * and signed-in contexts, all torn down after the suite. Call `browserStage()` inside the
 * suite's `describe`; its fields are filled before the first test runs.
 */
import { afterAll, beforeAll } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { freePort, registerUser, startNode, type TestNode } from "./parley";
import { launchBrowser, sessionCookies } from "./browser";

const DIST = join(import.meta.dir, "../../dist");
/** Hooks get explicit time limits: `bun test` alone gives them 5 s, too little on a loaded machine. */
export const HOOK = 60_000;

type User = Awaited<ReturnType<typeof registerUser>>;

export interface Stage {
  node: TestNode;
  base: string;
  browser: Browser;
  /** Page errors and console errors of every page opened through the stage. */
  errors: string[];
  /** A fresh desktop-sized (unless told otherwise) context, closed with the suite. */
  context(opts?: BrowserContextOptions): Promise<BrowserContext>;
  /** A page of `ctx` whose errors are collected under `name`. */
  page(ctx: BrowserContext, name: string): Promise<Page>;
  /** A user registered over the API and signed in to a new context through its cookies. */
  signedIn(name: string, opts?: BrowserContextOptions): Promise<User & { ctx: BrowserContext; page: Page }>;
}

export function browserStage(env: Record<string, string> = {}, opts: { publicUrl?: boolean } = {}): Stage {
  const contexts: BrowserContext[] = [];
  const stage = { errors: [] as string[] } as Stage;
  stage.context = async (o = {}) => {
    const ctx = await stage.browser.newContext({ viewport: { width: 1280, height: 800 }, ...o });
    contexts.push(ctx);
    return ctx;
  };
  stage.page = async (ctx, name) => {
    const page = await ctx.newPage();
    page.on("pageerror", (e) => stage.errors.push(`${name}: ${String(e)}`));
    page.on("console", (m) => m.type() === "error" && stage.errors.push(`${name}: ${m.text()}`));
    return page;
  };
  stage.signedIn = async (name, o) => {
    const u = await registerUser(stage.node, name);
    const ctx = await stage.context(o);
    await ctx.addCookies(sessionCookies(u.jar));
    return { ...u, ctx, page: await stage.page(ctx, name) };
  };

  beforeAll(async () => {
    // PUBLIC_URL must name the real port where links (invites) are built from it.
    const port = opts.publicUrl ? freePort() : 0;
    const pinned: Record<string, string> = opts.publicUrl ? { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } : {};
    stage.node = await startNode({ ...pinned, ...env }, { staticDir: DIST });
    stage.base = `http://127.0.0.1:${stage.node.listen().port}`;
    stage.browser = await launchBrowser();
  }, HOOK);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stage.browser?.close();
    await stage.node?.dispose();
  }, HOOK);
  return stage;
}
