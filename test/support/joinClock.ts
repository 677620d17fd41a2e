/**
 * How long a joiner waits for the others' video, in the page's own clock (startJoinClock,
 * joinToFirstFrames), and a yardstick of how fast this machine runs WebRTC at that moment
 * (loopbackFirstFrameMs), so a timed expectation can tell a slow join from a loaded machine.
 */
import type { Page } from "playwright-core";
import { until } from "./browser";

const T = 20_000;

/** Times in the page's clock (ms) kept by startJoinClock. */
interface JoinClock {
  clickedAt: number | null;
  /** Set by joinToFirstFrames: polling ends. */
  done: boolean;
  /** Remote participant id → when their first camera frame was decoded. */
  firstFrameAt: Record<string, number>;
}

/**
 * From the page's next click (the Join button's): when the first camera frame of each remote
 * participant is decoded, in the page's own clock (getStats polled every 50 ms until
 * joinToFirstFrames reads the result, so each time is up to 50 ms late).
 */
export function startJoinClock(page: Page): Promise<void> {
  return page.evaluate(() => {
    const clock: JoinClock = { clickedAt: null, done: false, firstFrameAt: {} };
    (window as unknown as { __joinClock: JoinClock }).__joinClock = clock;
    const poll = async () => {
      for (const p of window.__parleyCall?.peers() ?? []) {
        if (clock.firstFrameAt[p.peer] !== undefined) continue;
        (await p.pc.getStats()).forEach((s: { type: string; framesDecoded?: number; trackIdentifier?: string }) => {
          if (s.type === "inbound-rtp" && p.sources[s.trackIdentifier ?? ""] === "camera" && (s.framesDecoded ?? 0) > 0) clock.firstFrameAt[p.peer] ??= performance.now();
        });
      }
    };
    document.addEventListener(
      "click",
      () => {
        clock.clickedAt = performance.now();
        let busy = false;
        const timer = setInterval(() => {
          if (clock.done) return clearInterval(timer);
          if (busy) return;
          busy = true;
          void poll().finally(() => (busy = false));
        }, 50);
      },
      { capture: true, once: true },
    );
  });
}

/**
 * Per remote participant in `ids`: ms from the click to their first decoded camera frame, once
 * each has one (polling then stops).
 */
export async function joinToFirstFrames(page: Page, ids: string[], timeoutMs = T): Promise<Record<string, number>> {
  const timed = () => page.evaluate((ids) => ids.every((id) => (window as unknown as { __joinClock: JoinClock }).__joinClock.firstFrameAt[id] !== undefined), ids);
  await until(`first frames of ${ids.length} timed`, timed, timeoutMs);
  return page.evaluate(() => {
    const clock = (window as unknown as { __joinClock: JoinClock }).__joinClock;
    clock.done = true;
    const out: Record<string, number> = {};
    for (const [id, at] of Object.entries(clock.firstFrameAt)) out[id] = Math.round(at - clock.clickedAt!);
    return out;
  });
}

/**
 * The machine's pace right now, measured in `page`: ms from making two PeerConnections there to
 * the first decoded frame of its (fake) camera sent from one to the other. It takes the steps a
 * join takes in the browser — the page's event loop, offer and answer, ICE, DTLS, a keyframe, a
 * decode — without the server or any round trip, so it grows with the machine's load as a join
 * does (about 0.1 s on a quiet machine).
 */
export function loopbackFirstFrameMs(page: Page): Promise<number> {
  return page.evaluate(async (timeoutMs) => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    const started = performance.now();
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    try {
      a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate).catch(() => {}));
      b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate).catch(() => {}));
      for (const t of stream.getVideoTracks()) a.addTrack(t, stream);
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      await a.setRemoteDescription(b.localDescription!);
      while (performance.now() - started < timeoutMs) {
        let frames = 0;
        (await b.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
          if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded ?? 0;
        });
        if (frames > 0) return performance.now() - started;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no loopback frame within ${timeoutMs} ms`);
    } finally {
      a.close();
      b.close();
      for (const t of stream.getTracks()) t.stop();
    }
  }, T);
}
