/**
 * What the call suites read from the live peer connections (window.__parleyCall.peers()): video
 * frames decoded and audio packets received per sender, and the ICE candidates in use. The
 * receiving side's counters growing is the proof that media flows.
 */
import type { Page } from "playwright-core";
import { until } from "./browser";
import { sfuLinks } from "./sfu-trace";

const T = 20_000;

/**
 * What a page receives: "main" is camera video, "screen" shared screens. Every link carries both
 * on fixed m-lines; the call's diagnostics map each receiving track to its source.
 */
export type Received = "main" | "screen";

/** Sum of framesDecoded over the inbound video of one source, from every peer (or only `from`). */
export function framesDecoded(page: Page, channel: Received = "main", from?: string): Promise<number> {
  return page.evaluate(
    async ({ channel, from }) => {
      let total = 0;
      for (const p of window.__parleyCall?.peers() ?? []) {
        if (from && p.peer !== from) continue;
        (await p.pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number; trackIdentifier?: string }) => {
          if (s.type !== "inbound-rtp" || s.kind !== "video") return;
          // Through the SFU every peer's entry shares one connection: count only this peer's tracks.
          const source = p.sources[s.trackIdentifier ?? ""];
          if (source && (channel === "screen") === (source === "screen")) total += s.framesDecoded ?? 0;
        });
      }
      return total;
    },
    { channel, from },
  );
}

/** Passes once the page decodes at least `frames` more video frames (polls for up to `timeoutMs`). */
export async function expectDecoding(page: Page, what: string, channel: Received = "main", timeoutMs = T, frames = 10, from?: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  let base: number | null = null;
  let last = 0;
  while (Date.now() < end) {
    last = await framesDecoded(page, channel, from).catch(() => 0);
    // A fresh peer connection (after a reconnect) counts from zero again.
    if (base === null || last < base) base = last > 0 ? last : null;
    else if (last >= base + frames) return;
    await Bun.sleep(250);
  }
  throw new Error(`${what}: video frames are not being decoded (framesDecoded=${last} on ${channel})`);
}

/** Per remote participant: camera frames decoded and microphone packets received, summed over their tracks. */
export function flowByPeer(page: Page): Promise<Record<string, { video: number; audio: number }>> {
  return page.evaluate(async () => {
    const out: Record<string, { video: number; audio: number }> = {};
    for (const p of window.__parleyCall?.peers() ?? []) {
      const r = (out[p.peer] ??= { video: 0, audio: 0 });
      (await p.pc.getStats()).forEach((s: { type: string; framesDecoded?: number; packetsReceived?: number; trackIdentifier?: string }) => {
        if (s.type !== "inbound-rtp") return;
        const source = p.sources[s.trackIdentifier ?? ""];
        if (source === "camera") r.video += s.framesDecoded ?? 0;
        else if (source === "microphone") r.audio += s.packetsReceived ?? 0;
      });
    }
    return out;
  });
}

/**
 * Passes once `page` decodes more camera frames and receives more microphone packets from every
 * one of `from` than at its first sight of them (polls for up to `timeoutMs`).
 */
export async function expectFlowFromAll(page: Page, what: string, from: string[], timeoutMs = T, frames = 5): Promise<void> {
  const end = Date.now() + timeoutMs;
  const base = new Map<string, { video: number; audio: number }>();
  let last: Record<string, { video: number; audio: number }> = {};
  while (Date.now() < end) {
    last = await flowByPeer(page).catch(() => ({}));
    const missing = from.filter((id) => {
      const now = last[id];
      const was = base.get(id);
      if (!now || now.video === 0 || now.audio === 0) return true;
      // A fresh connection counts from zero again.
      if (!was || now.video < was.video || now.audio < was.audio) return base.set(id, now), true;
      return now.video < was.video + frames || now.audio <= was.audio;
    });
    if (!missing.length) return;
    await Bun.sleep(300);
  }
  const seen = (id: string) => ({ first: base.get(id) ?? null, last: last[id] ?? null });
  // Through an SFU, "last": null says its subscribe link names none of that participant's tracks.
  throw new Error(`${what}: not decoding from everyone: ${JSON.stringify(Object.fromEntries(from.map((id) => [id, seen(id)])))}; sfu links: ${await sfuLinks(page)}`);
}

/**
 * Throws unless every one of `others` remote participants arrives on one peer connection: the
 * SFU's subscribe link (in a mesh each has a connection of its own).
 */
export async function expectViaSfu(page: Page, others: number): Promise<void> {
  const peers = await page.evaluate(() => {
    const all = window.__parleyCall?.peers() ?? [];
    return all.map((p) => ({ peer: p.peer.slice(-4), shared: all.filter((q) => q.pc === p.pc).length, state: p.pc.connectionState, sources: Object.values(p.sources) }));
  });
  if (peers.length !== others || peers.some((p) => p.shared !== others)) throw new Error(`not all ${others} through one link: ${JSON.stringify(peers)}`);
}

/** True if no new frames were decoded during the whole window. */
export async function staysSilent(page: Page, windowMs: number): Promise<boolean> {
  const end = Date.now() + windowMs;
  while (Date.now() < end) {
    if ((await framesDecoded(page)) > 0) return false;
    await Bun.sleep(500);
  }
  return true;
}

/** The local candidate type ("host", "srflx", "relay") of the call's (first) connection's selected pair. */
export function selectedLocalCandidateType(page: Page): Promise<string | null> {
  return page.evaluate(async () => {
    const main = window.__parleyCall?.peers()[0];
    if (!main) return null;
    const stats = new Map<string, Record<string, unknown>>();
    (await main.pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
    const transport = [...stats.values()].find((s) => s.type === "transport" && s.selectedCandidatePairId);
    const pair = transport
      ? stats.get(transport.selectedCandidatePairId as string)
      : [...stats.values()].find((s) => s.type === "candidate-pair" && s.nominated && s.state === "succeeded");
    const local = pair ? stats.get(pair.localCandidateId as string) : undefined;
    return (local?.candidateType as string | undefined) ?? null;
  });
}

/** The types of every local ICE candidate in the stats of the call's peer connections. */
export function localCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const types: string[] = [];
    for (const p of window.__parleyCall?.peers() ?? []) {
      (await p.pc.getStats()).forEach((s: { type: string; candidateType?: string }) => {
        if (s.type === "local-candidate" && s.candidateType) types.push(s.candidateType);
      });
    }
    return types;
  });
}

/** Sum of packetsReceived over the inbound audio from every peer (or only `from`). */
export function audioPacketsReceived(page: Page, from?: string): Promise<number> {
  return page.evaluate(async (from) => {
    let total = 0;
    for (const p of window.__parleyCall?.peers() ?? []) {
      if (from && p.peer !== from) continue;
      (await p.pc.getStats()).forEach((s: { type: string; kind?: string; packetsReceived?: number; trackIdentifier?: string }) => {
        if (s.type === "inbound-rtp" && s.kind === "audio" && p.sources[s.trackIdentifier ?? ""] === "microphone") total += s.packetsReceived ?? 0;
      });
    }
    return total;
  }, from);
}

/** Passes once the page receives at least `packets` more audio packets (from `from`, or anyone). */
export async function expectHearing(page: Page, what: string, from?: string, timeoutMs = T, packets = 25): Promise<void> {
  const end = Date.now() + timeoutMs;
  let base: number | null = null;
  let last = 0;
  while (Date.now() < end) {
    last = await audioPacketsReceived(page, from).catch(() => 0);
    if (base === null || last < base) base = last > 0 ? last : null;
    else if (last >= base + packets) return;
    await Bun.sleep(250);
  }
  throw new Error(`${what}: audio packets are not being received (packetsReceived=${last})`);
}

/**
 * Every page receives every other participant: audio packets from each, and video frames from
 * each whose camera is on (`video`, by participant id; all of them unless told).
 */
export async function expectEveryoneReceives(pages: Record<string, Page>, ids: Record<string, string>, video: (name: string) => boolean = () => true, timeoutMs = T): Promise<void> {
  for (const [me, page] of Object.entries(pages)) {
    for (const [other, id] of Object.entries(ids)) {
      if (other === me) continue;
      await expectHearing(page, `${me} hears ${other}`, id, timeoutMs);
      if (video(other)) await expectDecoding(page, `${me} sees ${other}`, "main", timeoutMs, 10, id);
    }
  }
}

/**
 * The picture-in-picture window's video (null: none open): the id of its video track, whether
 * that track is live, frames it has shown so far, and whose it is: "remote-video" when the window
 * plays a 1:1 call's remote video itself, else the participant whose grid tile plays that track,
 * else (their tile is on another grid page) the one the call view says the window features.
 */
export function pipVideo(page: Page): Promise<{ track: string; live: boolean; frames: number; of: string | null } | null> {
  return page.evaluate(() => {
    const v = document.pictureInPictureElement;
    if (!(v instanceof HTMLVideoElement) || !(v.srcObject instanceof MediaStream)) return null;
    const track = v.srcObject.getVideoTracks()[0];
    if (!track) return null;
    const tile = [...document.querySelectorAll<HTMLVideoElement>('[data-testid="call-tile"] video')].find(
      (t) => t.srcObject instanceof MediaStream && t.srcObject.getVideoTracks().some((x) => x.id === track.id),
    );
    const featured = v.closest("[data-pip-of]")?.getAttribute("data-pip-of") ?? null;
    const of = v.dataset.testid === "remote-video" ? "remote-video" : (tile?.closest("[data-participant]")?.getAttribute("data-participant") ?? featured);
    return { track: track.id, live: track.readyState === "live", frames: v.getVideoPlaybackQuality().totalVideoFrames, of };
  });
}

/** Passes once `page`'s picture-in-picture window plays `of`'s live video (see pipVideo) and shows new frames of it. */
export async function expectPip(page: Page, of: string, timeoutMs = T): Promise<void> {
  let first: number | null = null;
  await until(`picture-in-picture shows ${of}`, async () => {
    const pip = await pipVideo(page);
    if (!pip || pip.of !== of || !pip.live) {
      first = null;
      throw new Error(`picture-in-picture: ${JSON.stringify(pip)}`);
    }
    first ??= pip.frames;
    if (pip.frames < first + 10) throw new Error(`picture-in-picture shows ${pip.frames - first} new frames`);
  }, timeoutMs);
}
