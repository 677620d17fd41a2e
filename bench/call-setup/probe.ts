/** In-page instrumentation: timestamps of the call's milestones, read back through window.__bench. */

/**
 * Runs in every page before its own scripts (context.addInitScript). It only observes: wrappers
 * call straight through and add listeners with addEventListener (the app's on… handlers are untouched).
 * Marks are kept only while armed, first occurrence only, on the page clock T().
 */
export function pageProbe(pollMs: number): void {
  const w = window as any;
  const T = () => performance.timeOrigin + performance.now();
  const B: any = { pcs: [] as RTCPeerConnection[], ev: {} as Record<string, number>, armed: false, polling: false, pollMs, polls: 0, statsLagMs: [] as number[], tsMismatch: 0, tsGaps: [] as number[], cached: 0, lastTs: 0, info: null, outInfo: null, rvfc: null };
  Object.defineProperty(w, "__bench", { value: B });
  const mark = (k: string, t = T()) => {
    if (B.armed && !(k in B.ev)) B.ev[k] = t;
  };
  B.mark = mark;

  const md = navigator.mediaDevices;
  if (md?.getUserMedia) {
    const gum = md.getUserMedia.bind(md);
    md.getUserMedia = async (c?: MediaStreamConstraints) => {
      mark(c?.video ? "gumStart" : "gumAudioStart");
      try {
        return await gum(c);
      } finally {
        mark(c?.video ? "gumEnd" : "gumAudioEnd");
      }
    };
  }

  const origFetch = w.fetch;
  w.fetch = function (input: any, init?: any) {
    const url = String(input?.url ?? input);
    const ice = url.includes("/api/rtc/ice-servers");
    if (ice) mark("iceFetchStart");
    const p = origFetch.call(this, input, init);
    if (ice) p.then(() => mark("iceFetchEnd"), () => {});
    return p;
  };

  const OWS = w.WebSocket;
  class BenchWebSocket extends OWS {
    constructor(...a: any[]) {
      super(...a);
      const ids = new Map<string, string>();
      const send = OWS.prototype.send;
      (this as any).send = (d: any) => {
        try {
          const f = JSON.parse(d);
          if (f?.type && (f.type.startsWith("call:") || f.type.startsWith("rtc:"))) {
            mark(`send:${f.type}`);
            if (f.id) ids.set(f.id, f.type);
          }
        } catch {}
        return send.call(this, d);
      };
      (this as any).addEventListener("message", (m: MessageEvent) => {
        try {
          const f = JSON.parse(String(m.data));
          if (typeof f?.type === "string" && (f.type.startsWith("call:") || f.type.startsWith("rtc:"))) mark(`recv:${f.type}`);
          else if (typeof f?.replyTo === "string" && ids.has(f.replyTo)) mark(`reply:${ids.get(f.replyTo)}`);
        } catch {}
      });
    }
  }
  w.WebSocket = BenchWebSocket;

  const OPC = w.RTCPeerConnection;
  class BenchPeerConnection extends OPC {
    constructor(...a: any[]) {
      super(...a);
      B.pcs.push(this);
      mark("pcCreated");
      const pc = this as unknown as RTCPeerConnection;
      pc.addEventListener("icecandidate", (e) => mark(e.candidate ? `cand:${e.candidate.type ?? "?"}` : "cand:end"));
      pc.addEventListener("icegatheringstatechange", () => mark(`gathering:${pc.iceGatheringState}`));
      pc.addEventListener("iceconnectionstatechange", () => mark(`ice:${pc.iceConnectionState}`));
      pc.addEventListener("connectionstatechange", () => mark(`conn:${pc.connectionState}`));
      pc.addEventListener("track", (e) => mark(`track:${e.track.kind}`));
    }
    setLocalDescription(...a: any[]) {
      const p = super.setLocalDescription(...a);
      p.then(() => mark(`sld:${(this as any).localDescription?.type}`), () => {});
      return p;
    }
    setRemoteDescription(...a: any[]) {
      const type = a[0]?.type;
      mark(`srdStart:${type}`);
      const p = super.setRemoteDescription(...a);
      p.then(() => mark(`srd:${type}`), () => {});
      return p;
    }
  }
  w.RTCPeerConnection = BenchPeerConnection;

  // User clicks (capture phase on document: before React's root listener).
  document.addEventListener(
    "click",
    (e) => {
      const label = (e.target as Element | null)?.closest?.("button")?.getAttribute("aria-label");
      if (label) mark(`click:${label}`);
    },
    true,
  );

  // The incoming-call dialog entering the DOM, and the next animation frame after it.
  new MutationObserver(() => {
    if (!B.armed || "ringDom" in B.ev) return;
    if (document.querySelector("[role=alertdialog]")) {
      mark("ringDom");
      requestAnimationFrame(() => mark("ringFrame"));
    }
  }).observe(document, { childList: true, subtree: true });

  const seenVideos = new WeakSet<HTMLVideoElement>();
  const watchRemoteVideo = () => {
    const v = document.querySelector<HTMLVideoElement>('video[data-testid="remote-video"]');
    if (!v || seenVideos.has(v) || !("requestVideoFrameCallback" in v)) return;
    seenVideos.add(v);
    (v as any).requestVideoFrameCallback((now: number, meta: any) => {
      if (!B.armed || "rvfcFirstFrame" in B.ev) return;
      mark("rvfcFirstFrame", performance.timeOrigin + (meta?.presentationTime ?? now));
      // For a WebRTC source: receiveTime = last packet of the frame received; + processingDuration (s) = decoded.
      if (typeof meta?.receiveTime === "number") {
        mark("rvfcReceived", performance.timeOrigin + meta.receiveTime);
        if (typeof meta.processingDuration === "number") mark("rvfcDecoded", performance.timeOrigin + meta.receiveTime + meta.processingDuration * 1000);
      }
      B.rvfc = { width: meta?.width, height: meta?.height, processingMs: typeof meta?.processingDuration === "number" ? meta.processingDuration * 1000 : null };
    });
  };

  B.poll = async () => {
    while (B.polling) {
      const t0 = T();
      watchRemoteVideo();
      for (const pc of B.pcs as RTCPeerConnection[]) {
        if (pc.signalingState === "closed") continue;
        let report: RTCStatsReport;
        const before = T();
        try {
          report = await pc.getStats();
        } catch {
          continue;
        }
        const after = T();
        B.polls++;
        if (B.statsLagMs.length < 2000) B.statsLagMs.push(after - before);
        report.forEach((s: any) => {
          // RTCStats.timestamp: when this sample was collected — on the same clock as T(), and
          // possibly earlier than this call (libwebrtc serves a cached report for a short while).
          let t = after;
          if (typeof s.timestamp === "number" && s.timestamp >= before - 2000 && s.timestamp <= after + 5) t = Math.min(s.timestamp, after);
          else if (s.type === "inbound-rtp") B.tsMismatch++;
          if (s.type === "inbound-rtp" && s.kind === "video") {
            if (B.armed && B.lastTs && s.timestamp > B.lastTs && B.tsGaps.length < 5000) B.tsGaps.push(s.timestamp - B.lastTs);
            if (s.timestamp < before - 1) B.cached++;
            B.lastTs = s.timestamp;
            if (s.packetsReceived > 0) mark("inVideoPacket", t);
            if (s.framesReceived > 0) mark("inFrameReceived", t);
            if (s.framesDecoded > 0 && !("inFrameDecoded" in B.ev)) {
              mark("inFrameDecoded", t);
              const codec = report.get(s.codecId) as any;
              let pairChanges: number | undefined;
              report.forEach((x: any) => {
                if (x.type === "transport" && typeof x.selectedCandidatePairChanges === "number") pairChanges = x.selectedCandidatePairChanges;
              });
              B.info = { codec: codec?.mimeType, decoder: s.decoderImplementation, width: s.frameWidth, height: s.frameHeight, keyFrames: s.keyFramesDecoded, pairChanges };
            }
          } else if (s.type === "inbound-rtp" && s.kind === "audio") {
            if (s.packetsReceived > 0) mark("inAudioPacket", t);
          } else if (s.type === "outbound-rtp" && s.kind === "video") {
            if (s.framesEncoded > 0 && !("outFrameEncoded" in B.ev)) {
              mark("outFrameEncoded", t);
              B.outInfo = { encoder: s.encoderImplementation, width: s.frameWidth, height: s.frameHeight, targetBitrate: s.targetBitrate };
            }
            if (s.packetsSent > 0) mark("outVideoPacket", t);
          }
        });
      }
      if ("inFrameDecoded" in B.ev && "outVideoPacket" in B.ev && "rvfcFirstFrame" in B.ev) break;
      await new Promise((r) => setTimeout(r, Math.max(0, B.pollMs - (T() - t0))));
    }
    B.polling = false;
  };
  B.arm = () => {
    B.ev = {};
    B.lastTs = 0;
    B.info = B.outInfo = B.rvfc = null;
    B.pcs = (B.pcs as RTCPeerConnection[]).filter((pc) => pc.signalingState !== "closed");
    B.armed = true;
    if (!B.polling) {
      B.polling = true;
      void B.poll();
    }
  };
  B.disarm = () => {
    B.armed = false;
    B.polling = false;
    return B.ev;
  };
}

export type Marks = Record<string, number>;
