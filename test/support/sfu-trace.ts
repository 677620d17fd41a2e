/**
 * What an SFU said to and about each participant (its events; ICE candidates left out), timed
 * from the trace's start, and what each page's SFU links are doing: for a failure message to
 * say, per page, how its links stand, which tracks its last subscribe offers named and when its
 * links connected or went, so the next failure can be diagnosed from the message alone.
 */
import type { Page } from "playwright-core";
import type { Sfu } from "../../src/server/sfu/sfu";

const KEPT = 200;
const short = (id: string) => id.slice(-4);

export interface SfuTrace {
  /** The last `count` events of one participant, oldest first. */
  of(participantId: string, count?: number): string[];
  stop(): void;
}

export function traceSfu(sfu: Sfu): SfuTrace {
  const start = Date.now();
  const lines = new Map<string, string[]>();
  const note = (id: string, what: string) => {
    const l = lines.get(id) ?? [];
    l.push(`+${((Date.now() - start) / 1000).toFixed(1)}s ${what}`);
    if (l.length > KEPT) l.shift();
    lines.set(id, l);
  };
  const stop = sfu.on((e) => {
    if (e.type === "signal" && e.signal.kind === "offer") {
      const { version, tracks } = e.signal;
      note(e.to, `subscribe offer${version === undefined ? "" : ` v${version}`} [${tracks.map((t) => `${t.mid}:${short(t.participantId)}/${t.source}`).join(" ")}]`);
    } else if (e.type === "signal" && e.signal.kind === "answer") note(e.to, "publish answer");
    else if (e.type === "track") note(e.participantId, `${e.published ? "publishes" : "stops publishing"} ${e.source}`);
    else if (e.type === "connection") note(e.participantId, `${e.link} link ${e.state}`);
  });
  return { of: (id, count = 12) => (lines.get(id) ?? []).slice(-count), stop };
}

/** The page's SFU links (window.__parleyCall.sfu(): states, subscribed mids, transports made), participant ids shortened. */
export async function sfuLinks(page: Page): Promise<string> {
  const state = await page.evaluate(() => window.__parleyCall?.sfu() ?? null).catch((err: unknown) => `unreadable: ${String(err)}`);
  if (!state || typeof state === "string") return String(state);
  const tracks = state.tracks.map((t) => t.replace(/:([^/]+)\//, (_, id: string) => `:${short(id)}/`));
  return JSON.stringify({ ...state, tracks });
}

/** Per page: its participant, its links and (with a trace) the SFU's last events for it. */
export async function sfuReport(pages: { id: string; name: string; page: Page }[], trace?: SfuTrace): Promise<string> {
  const out: string[] = [];
  for (const p of pages) {
    out.push(`${p.name} (${short(p.id)}): ${await sfuLinks(p.page)}`);
    for (const line of trace?.of(p.id) ?? []) out.push(`    ${line}`);
  }
  return out.join("\n");
}
