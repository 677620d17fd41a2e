/**
 * ICE restart end to end: a relay-only 1:1 call whose TURN server dies mid-call recovers on the
 * same peer connections, through an ICE restart (new ICE credentials), once a TURN server
 * answers on that address again — not through a new call or a new connection.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { until } from "../support/browser";
import { callStage, connect, expectDecoding, selectedLocalCandidateType, signalLog } from "../support/calls";

const stage = callStage("ICE restart e2e", { env: false, turn: true });

type Watch = { pc: RTCPeerConnection; states: string[] };
declare global {
  interface Window {
    __iceWatch?: Watch;
  }
}

const ufragOf = (sdp: string | undefined | null) => /^a=ice-ufrag:(\S+)/m.exec(sdp ?? "")?.[1] ?? null;

/** Remembers the page's main peer connection and records every ICE and connection state it goes through. */
function watchMain(page: Page): Promise<void> {
  return page.evaluate(() => {
    const pc = window.__parleyCall!.peers().find((p) => p.channel === "main")!.pc;
    const w: Watch = { pc, states: [] };
    pc.addEventListener("iceconnectionstatechange", () => w.states.push(`ice:${pc.iceConnectionState}`));
    pc.addEventListener("connectionstatechange", () => w.states.push(`pc:${pc.connectionState}`));
    window.__iceWatch = w;
  });
}

/** The watched connection's state log, whether it is still the call's main connection, and its current ICE ufrags. */
function mainState(page: Page) {
  return page.evaluate(() => {
    const w = window.__iceWatch!;
    const main = window.__parleyCall?.peers().find((p) => p.channel === "main")?.pc;
    return {
      states: [...w.states],
      same: main === w.pc,
      connection: w.pc.connectionState,
      local: w.pc.localDescription?.sdp ?? null,
      remote: w.pc.remoteDescription?.sdp ?? null,
    };
  });
}

describe.skipIf(!stage.canRelay)("ICE restart in a relay-only call", () => {
  test("when the TURN server dies mid-call, the connection drops, restarts ICE with new credentials and video decodes again both ways", async () => {
    const secret = "turn-secret-for-the-ice-restart-suite";
    const srv = await stage.relayServer(secret);
    let turn = srv.turn;
    const log = signalLog(srv.node);
    const offerUfrags = () => log.signals.flatMap((s) => (s.type === "rtc:offer" ? [ufragOf(s.sdp)] : []));
    try {
      const { A, B } = await stage.pair({ srv });
      await connect(A.page, B.page);
      const both = [
        [A.page, "caller"],
        [B.page, "callee"],
      ] as const;
      for (const [P, who] of both) {
        await until(`the ${who}'s selected candidate pair`, async () => (await selectedLocalCandidateType(P)) !== null);
        expect(await selectedLocalCandidateType(P)).toBe("relay");
        await watchMain(P);
      }
      const before = { A: await mainState(A.page), B: await mainState(B.page) };
      const ufragsBefore = new Set(offerUfrags());
      expect(ufragsBefore.size).toBeGreaterThan(0);

      // A coturn restart: the allocations carrying the call are gone, and the new server on the
      // same port drops their traffic; only freshly gathered relay candidates work again.
      await turn.stop();
      turn = await stage.startTurn(secret, { port: turn.port });

      for (const [P, who] of both) {
        await until(`the ${who}'s connection to drop`, async () => (await mainState(P)).states.some((s) => /:(disconnected|failed)$/.test(s)), 45_000);
      }
      await until("an offer with new ICE credentials to be relayed", () => offerUfrags().some((u) => !ufragsBefore.has(u)), 45_000);
      for (const [P, who] of both) {
        await expectDecoding(P, `the ${who} receives again after the ICE restart`, "main", 45_000);
      }
      for (const [P, key] of [
        [A.page, "A"],
        [B.page, "B"],
      ] as const) {
        const now = await mainState(P);
        // Recovered on the connection it had: an ICE restart, not a new call or a new connection.
        expect(now.same).toBe(true);
        expect(now.connection).toBe("connected");
        expect(ufragOf(now.local)).not.toBe(ufragOf(before[key].local));
        expect(ufragOf(now.remote)).not.toBe(ufragOf(before[key].remote));
        expect(await selectedLocalCandidateType(P)).toBe("relay");
      }
    } finally {
      log.stop();
    }
  }, 90_000);
});
