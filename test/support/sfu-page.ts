/**
 * Browser entry for the SFU contract suite: a page that publishes its fake camera and
 * microphone through the client's SfuTransport and reports what it decodes. The test process carries the
 * signals (window.sfuSend out, window.sfuPage.handle in) straight to the Sfu under test.
 */
import type { SfuLinks } from "../../src/client/rtc/sfu-links";
import { SfuTransport } from "../../src/client/rtc/transports/sfu";
import type { SfuLayer, SfuSignalIn, SfuSignalOut, SfuSource } from "../../src/shared/sfu";

declare global {
  interface Window {
    sfuSend(json: string): void;
    sfuPage: typeof page;
  }
}

export interface Received {
  /** participantId → what arrives from them. */
  [participantId: string]: {
    framesDecoded: number;
    /** Of the last frame decoded. */
    frameWidth: number;
    /** Times the video froze so far, and for how many seconds in all (Chromium's freezeCount, totalFreezesDuration: no new frame for well over the usual gap). */
    freezes: number;
    frozen: number;
    /** Keyframes this page asked for (PLI, FIR) so far. */
    keyframeRequests: number;
    /** Video bytes received so far. */
    videoBytes: number;
    audioPackets: number;
    firstFrameAt: number | null;
  };
}

let transport: SfuTransport | null = null;
let links: SfuLinks | null = null;
let startedAt = 0;
/** participantId → ms from connect() to the first frame of theirs painted. */
const firstFrames = new Map<string, number>();

function watchFirstFrame(participantId: string, track: MediaStreamTrack): void {
  const video = document.createElement("video");
  video.muted = true;
  video.srcObject = new MediaStream([track]);
  document.body.append(video);
  void video.play();
  video.requestVideoFrameCallback(() => firstFrames.set(participantId, performance.now() - startedAt));
}

const page = {
  /** Opens the links (before the SFU joins us, so its first offer finds them); times start here. */
  async connect(): Promise<void> {
    startedAt = performance.now();
    transport = new SfuTransport({ iceConfig: async () => ({}), send: (s: SfuSignalIn) => window.sfuSend(JSON.stringify(s)) });
    transport.events.on("track", ({ peer, track }) => track.kind === "video" && watchFirstFrame(peer, track));
    links = await transport.ready;
  },
  async publish(width: number): Promise<void> {
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width, height: (width * 9) / 16, frameRate: 15 } });
    await links!.publish("microphone", media.getAudioTracks()[0]!);
    await links!.publish("camera", media.getVideoTracks()[0]!);
  },
  handle(signal: SfuSignalOut): Promise<void> {
    return transport!.handleSfu(signal);
  },
  layer(publisherId: string, source: SfuSource, layer: SfuLayer): void {
    transport!.setLayer(publisherId, source, layer);
  },
  /** Decoding per remote participant; `firstFrameAt`: ms from connect() to their first painted frame. */
  async received(): Promise<Received> {
    const out: Received = {};
    const stats = await links!.subscriber.getStats();
    stats.forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      const info = links!.tracks.find((t) => t.mid === s.mid);
      if (!info) return;
      const r = (out[info.participantId] ??= { framesDecoded: 0, frameWidth: 0, freezes: 0, frozen: 0, keyframeRequests: 0, videoBytes: 0, audioPackets: 0, firstFrameAt: null });
      if (s.kind === "video") {
        r.framesDecoded += s.framesDecoded ?? 0;
        r.frameWidth = Math.max(r.frameWidth, s.frameWidth ?? 0);
        r.freezes += s.freezeCount ?? 0;
        r.frozen += s.totalFreezesDuration ?? 0;
        r.keyframeRequests += (s.pliCount ?? 0) + (s.firCount ?? 0);
        r.videoBytes += s.bytesReceived ?? 0;
        r.firstFrameAt = firstFrames.get(info.participantId) ?? null;
      } else r.audioPackets += s.packetsReceived ?? 0;
    });
    return out;
  },
  /** Keyframes asked of this page's camera so far (PLI, FIR), per simulcast rid. */
  async keyframeRequests(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    (await links!.publisher.getStats()).forEach((s) => {
      if (s.type === "outbound-rtp" && s.kind === "video") out[s.rid ?? ""] = (out[s.rid ?? ""] ?? 0) + (s.pliCount ?? 0) + (s.firCount ?? 0);
    });
    return out;
  },
  /** Keyframes this page's camera encoded so far, per simulcast rid. */
  async keyframesEncoded(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    (await links!.publisher.getStats()).forEach((s) => {
      if (s.type === "outbound-rtp" && s.kind === "video") out[s.rid ?? ""] = (out[s.rid ?? ""] ?? 0) + (s.keyFramesEncoded ?? 0);
    });
    return out;
  },
  /** Stops sending one simulcast layer of the camera for `ms`: the stall an overshooting keyframe or a starved encoder makes. */
  async stallLayer(rid: string, ms: number): Promise<void> {
    const sender = links!.publisher.getSenders().find((s) => s.track?.kind === "video")!;
    const active = async (on: boolean) => {
      const params = sender.getParameters();
      for (const e of params.encodings) if (e.rid === rid) e.active = on;
      await sender.setParameters(params);
    };
    await active(false);
    await new Promise((resolve) => setTimeout(resolve, ms));
    await active(true);
  },
  /**
   * The subscribe link as this page sees it, for a stalled test's message: transport bytes still
   * growing while no track's do points at decryption or demux here, neither growing at the sender.
   */
  async link(): Promise<Record<string, unknown>> {
    const pc = links!.subscriber;
    const out: Record<string, unknown> = { connection: pc.connectionState, ice: pc.iceConnectionState };
    (await pc.getStats()).forEach((s) => {
      if (s.type === "transport") Object.assign(out, { dtls: s.dtlsState, bytesReceived: s.bytesReceived, pairChanges: s.selectedCandidatePairChanges });
    });
    return out;
  },
  close(): void {
    transport?.close();
  },
};
window.sfuPage = page;
