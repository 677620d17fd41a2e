/** The two Chromium pages: opening a signed-in DM, reading marks, waiting for "no call". */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { HOST } from "../lib/harness";
import { sessionCookies } from "../../test/support/browser";
import type { Account } from "./accounts";
import { POLL_MS, STEP_MS } from "./options";
import { pageProbe } from "./probe";

export const button = (p: Page, name: string) => p.getByRole("button", { name, exact: true });

export async function openAs(browser: Browser, base: string, u: Account, path: string, who: string): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript(pageProbe, POLL_MS);
  await ctx.addCookies(sessionCookies(u.jar, HOST));
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => {
    const at = (e.stack ?? "").split("\n").slice(1, 4).map((l) => l.trim().replace(/\(?https?:\/\/[^/]+\//, "(")).join(" ");
    errors.push(`${who}: ${String(e)}${at ? ` [${at}]` : ""}`);
  });
  await page.goto(`${base}${path}`, { timeout: STEP_MS });
  await page.getByTestId("conversation").waitFor({ timeout: STEP_MS });
  return { ctx, page, errors };
}

export const marks = (p: Page) => p.evaluate(() => ({ ...(window as any).__bench.ev }) as Record<string, number>);

/** No call on this page: no call id, no live peer connection, no incoming dialog. */
export const idle = (p: Page) =>
  p.waitForFunction(
    () => (window as any).__parleyCall?.callId == null && ((window as any).__parleyCall?.peers().length ?? 0) === 0 && !document.querySelector("[role=alertdialog]"),
    null,
    { polling: 50, timeout: STEP_MS },
  );

/** The selected candidate pair of the main connection: "relay udp 127.0.0.1 ↔ relay 127.0.0.1". */
export function selectedPair(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const main = (window as any).__parleyCall?.peers().find((p: any) => p.channel === "main");
    if (!main) return "?";
    const stats = new Map<string, any>();
    (await main.pc.getStats()).forEach((s: any) => stats.set(s.id, s));
    const transport = [...stats.values()].find((s) => s.type === "transport" && s.selectedCandidatePairId);
    const pair = transport ? stats.get(transport.selectedCandidatePairId) : [...stats.values()].find((s) => s.type === "candidate-pair" && s.nominated && s.state === "succeeded");
    const l = pair && stats.get(pair.localCandidateId);
    const r = pair && stats.get(pair.remoteCandidateId);
    if (!l || !r) return "?";
    const relayProto = l.relayProtocol ? ` via ${l.relayProtocol}` : "";
    return `local ${l.candidateType} ${l.protocol} ${l.address ?? l.ip}${relayProto} ↔ remote ${r.candidateType} ${r.address ?? r.ip}`;
  });
}
