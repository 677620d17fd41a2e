/**
 * A small in-memory WebRTC for `bun test`: RTCPeerConnection, tracks, streams and
 * navigator.mediaDevices, enough for Peer's perfect negotiation, PeerLink's fixed m-lines and a
 * Call's fan-out to run without a browser. Descriptions are JSON listing the m-lines; two
 * connections "connect" once each holds the other's description, and data channels then carry
 * messages between them. Media is not simulated: the Chromium suites prove decoding.
 */
type Kind = "audio" | "video";
type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive" | "stopped";

let seq = 0;
const registry = new Map<string, FakePeerConnection>();

export class FakeTrack extends EventTarget {
  readonly id = `track-${++seq}`;
  enabled = true;
  readyState: "live" | "ended" = "live";
  constructor(readonly kind: Kind) {
    super();
  }
  getSettings() {
    return { deviceId: `${this.kind}-device` };
  }
  stop() {
    this.readyState = "ended";
  }
}

export class FakeStream {
  readonly id = `stream-${++seq}`;
  #tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.#tracks = [...tracks];
  }
  getTracks() {
    return [...this.#tracks];
  }
  getAudioTracks() {
    return this.#tracks.filter((t) => t.kind === "audio");
  }
  getVideoTracks() {
    return this.#tracks.filter((t) => t.kind === "video");
  }
  addTrack(t: FakeTrack) {
    if (!this.#tracks.includes(t)) this.#tracks.push(t);
  }
  removeTrack(t: FakeTrack) {
    this.#tracks = this.#tracks.filter((x) => x !== t);
  }
}

class FakeSender {
  track: FakeTrack | null;
  constructor(track: FakeTrack | null) {
    this.track = track;
  }
  async replaceTrack(t: FakeTrack | null) {
    this.track = t;
  }
  setStreams() {}
}

class FakeTransceiver {
  mid: string | null = null;
  readonly sender: FakeSender;
  readonly receiver: { track: FakeTrack };
  constructor(
    kind: Kind,
    public direction: Direction,
    track: FakeTrack | null,
  ) {
    this.sender = new FakeSender(track);
    this.receiver = { track: new FakeTrack(kind) };
  }
}

class FakeDataChannel {
  readyState: "connecting" | "open" | "closed" = "connecting";
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  constructor(
    readonly pc: FakePeerConnection,
    readonly id: number,
  ) {}
  send(data: string) {
    const other = this.pc.remote?.channels.find((c) => c.id === this.id);
    queueMicrotask(() => other?.onmessage?.({ data }));
  }
  open() {
    if (this.readyState !== "connecting") return;
    this.readyState = "open";
    this.onopen?.();
  }
  close() {
    if (this.readyState === "closed") return;
    this.readyState = "closed";
    this.onclose?.();
  }
}

interface Description {
  type: "offer" | "answer";
  sdp: string;
}
interface Sdp {
  pc: string;
  m: { mid: string; kind: Kind; direction: Direction }[];
}

const sending = (d: Direction) => d === "sendrecv" || d === "sendonly";

export class FakePeerConnection {
  readonly id = `pc-${++seq}`;
  signalingState: "stable" | "have-local-offer" | "have-remote-offer" | "closed" = "stable";
  connectionState: RTCPeerConnectionState = "new";
  iceConnectionState: RTCIceConnectionState = "new";
  localDescription: Description | null = null;
  remoteDescription: Description | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((e: { candidate: { toJSON(): unknown } | null }) => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  ontrack: ((e: { track: FakeTrack; transceiver: FakeTransceiver; streams: FakeStream[] }) => void) | null = null;
  readonly channels: FakeDataChannel[] = [];
  #transceivers: FakeTransceiver[] = [];
  #negotiationQueued = false;
  remote: FakePeerConnection | null = null;

  constructor() {
    registry.set(this.id, this);
  }

  getTransceivers() {
    return [...this.#transceivers];
  }
  getSenders() {
    return this.#transceivers.map((t) => t.sender);
  }

  addTransceiver(trackOrKind: FakeTrack | Kind, init: { direction?: Direction } = {}) {
    const track = typeof trackOrKind === "string" ? null : trackOrKind;
    const t = new FakeTransceiver(track ? track.kind : (trackOrKind as Kind), init.direction ?? "sendrecv", track);
    this.#transceivers.push(t);
    this.#needNegotiation();
    return t;
  }

  createDataChannel(_label: string, init: { id: number }) {
    const dc = new FakeDataChannel(this, init.id);
    this.channels.push(dc);
    if (this.connectionState === "connected") queueMicrotask(() => dc.open());
    return dc;
  }

  restartIce() {
    this.#needNegotiation();
  }

  #needNegotiation() {
    if (this.#negotiationQueued) return;
    this.#negotiationQueued = true;
    setTimeout(() => {
      this.#negotiationQueued = false;
      if (this.signalingState === "stable" && this.connectionState !== "closed") this.onnegotiationneeded?.();
    }, 0);
  }

  #describe(type: "offer" | "answer"): Description {
    this.#transceivers.forEach((t, i) => (t.mid ??= String(i)));
    const sdp: Sdp = { pc: this.id, m: this.#transceivers.map((t) => ({ mid: t.mid!, kind: t.receiver.track.kind, direction: t.direction })) };
    return { type, sdp: JSON.stringify(sdp) };
  }

  async setLocalDescription(): Promise<void> {
    await Promise.resolve();
    if (this.signalingState === "closed") throw new DOMException("closed", "InvalidStateError");
    if (this.signalingState === "have-remote-offer") {
      this.localDescription = this.#describe("answer");
      this.signalingState = "stable";
      this.#maybeConnect();
    } else {
      this.localDescription = this.#describe("offer");
      this.signalingState = "have-local-offer";
    }
    setTimeout(() => {
      this.onicecandidate?.({ candidate: { toJSON: () => ({ candidate: `candidate:${this.id}`, sdpMid: "0" }) } });
      this.onicecandidate?.({ candidate: null });
    }, 0);
  }

  async setRemoteDescription(d: Description): Promise<void> {
    await Promise.resolve();
    const sdp = JSON.parse(d.sdp) as Sdp;
    this.remote = registry.get(sdp.pc) ?? null;
    if (d.type === "offer") {
      // An offer over our own pending one rolls ours back (the polite side of a glare).
      if (this.signalingState === "have-local-offer") this.localDescription = null;
      this.signalingState = "have-remote-offer";
    } else {
      if (this.signalingState !== "have-local-offer") throw new DOMException("no offer to answer", "InvalidStateError");
      this.signalingState = "stable";
    }
    this.remoteDescription = d;
    sdp.m.forEach((m, i) => {
      let t = this.#transceivers.find((x) => x.mid === m.mid);
      if (!t) {
        t = this.#transceivers[i]?.mid === null ? this.#transceivers[i] : undefined;
        if (!t) {
          t = new FakeTransceiver(m.kind, "recvonly", null);
          this.#transceivers.push(t);
        }
        t.mid = m.mid;
      }
      if (sending(m.direction)) {
        const tr = t;
        queueMicrotask(() => this.ontrack?.({ track: tr.receiver.track, transceiver: tr, streams: [] }));
      }
    });
    this.#maybeConnect();
  }

  async addIceCandidate(_c?: unknown): Promise<void> {
    if (!this.remoteDescription) throw new DOMException("no remote description", "InvalidStateError");
  }

  #maybeConnect() {
    if (this.signalingState !== "stable" || !this.localDescription || !this.remoteDescription || this.connectionState === "connected") return;
    setTimeout(() => {
      if (this.connectionState === "closed") return;
      this.iceConnectionState = "connected";
      this.connectionState = "connected";
      this.oniceconnectionstatechange?.();
      this.onconnectionstatechange?.();
      this.channels.forEach((c) => c.open());
    }, 0);
  }

  async getStats() {
    return new Map();
  }

  close() {
    this.signalingState = "closed";
    this.connectionState = "closed";
    this.channels.forEach((c) => c.close());
    registry.delete(this.id);
  }
}

/** Puts the fakes on globalThis (RTCPeerConnection, MediaStream, navigator.mediaDevices). */
export function installFakeRtc(): void {
  const g = globalThis as Record<string, unknown>;
  g.RTCPeerConnection = FakePeerConnection;
  g.MediaStream = FakeStream;
  const nav = (g.navigator ??= {}) as Record<string, unknown>;
  nav.mediaDevices = {
    getUserMedia: async (c: { audio?: unknown; video?: unknown }) =>
      new FakeStream([...(c.audio ? [new FakeTrack("audio")] : []), ...(c.video ? [new FakeTrack("video")] : [])]),
    getDisplayMedia: async () => new FakeStream([new FakeTrack("video")]),
    enumerateDevices: async () => [],
    addEventListener() {},
    removeEventListener() {},
  };
}
