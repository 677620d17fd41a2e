/**
 * Screen sharing over its own peer connection (channel "screen"), so starting or stopping a
 * share never disturbs the camera and microphone connection. The connection exists while
 * either side shares: the sharer creates it, the other side creates its end on the first offer.
 */
import { Emitter } from "./emitter";
import { describeMediaError } from "./local-media";
import type { Peer, Signal } from "./peer";

export interface ScreenShareEvents {
  "local-screen": MediaStream | null;
  "remote-screen": MediaStream | null;
  error: string;
}

export class ScreenShare {
  readonly events = new Emitter<ScreenShareEvents>();
  readonly #createPeer: () => Promise<Peer | null>;
  #peer: Promise<Peer | null> | null = null;
  #pc: RTCPeerConnection | null = null;
  #mine: MediaStream | null = null;
  #theirs: MediaStream | null = null;
  #remoteSharing = false;

  constructor(createPeer: () => Promise<Peer | null>) {
    this.#createPeer = createPeer;
  }

  get sharing(): boolean {
    return this.#mine !== null;
  }

  get remote(): MediaStream | null {
    return this.#theirs;
  }

  get pc(): RTCPeerConnection | null {
    return this.#pc && this.#pc.connectionState !== "closed" ? this.#pc : null;
  }

  /** Call from a click: getDisplayMedia needs a user gesture. Resolves true when sharing began. */
  async start(): Promise<boolean> {
    if (this.#mine) return false;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    } catch (err) {
      // Dismissing the browser's picker is a choice, not an error.
      if (!(err instanceof DOMException && err.name === "NotAllowedError")) this.events.emit("error", describeMediaError(err, "screen"));
      return false;
    }
    this.#mine = stream;
    // The browser's own "Stop sharing" bar ends the track.
    stream.getVideoTracks()[0]?.addEventListener("ended", () => this.stop());
    this.events.emit("local-screen", stream);
    this.#send(stream);
    return true;
  }

  #send(stream: MediaStream): void {
    void this.#ensurePeer().then((p) => {
      if (p && !p.closed && this.#mine === stream) stream.getTracks().forEach((t) => p.pc.addTrack(t, stream));
    });
  }

  /** Returns true when there was a share to stop. */
  stop(): boolean {
    const stream = this.#mine;
    if (!stream) return false;
    this.#mine = null;
    stream.getTracks().forEach((t) => t.stop());
    this.events.emit("local-screen", null);
    if (this.#remoteSharing) {
      // They still share: keep the connection, just stop sending (renegotiates).
      void this.#peer?.then((p) => p?.pc.getSenders().forEach((s) => s.track && stream.getTracks().includes(s.track) && p.pc.removeTrack(s)));
    } else this.#closePeer();
    return true;
  }

  handleSignal(signal: Signal): void {
    // A share starts with an offer; anything else without a connection is a leftover of one that ended.
    if (!this.#peer && signal.kind !== "offer") return;
    void this.#ensurePeer().then((p) => p?.handle(signal));
  }

  /** The other side's announced share state. */
  handleRemote(sharing: boolean): void {
    this.#remoteSharing = sharing;
    if (sharing) return;
    this.#setTheirs(null);
    if (!this.#mine) this.#closePeer();
  }

  /** After a reconnect both sides start over: a fresh connection, our share (if any) sent again. */
  reset(): void {
    this.#closePeer();
    if (this.#mine) this.#send(this.#mine);
  }

  #ensurePeer(): Promise<Peer | null> {
    this.#peer ??= this.#createPeer().then((peer) => {
      if (!peer) return null;
      this.#pc = peer.pc;
      peer.events.on("track", (e) => this.#setTheirs(new MediaStream([e.track])));
      return peer;
    });
    return this.#peer;
  }

  #setTheirs(stream: MediaStream | null): void {
    if (this.#theirs === stream) return;
    this.#theirs = stream;
    this.events.emit("remote-screen", stream);
  }

  #closePeer(): void {
    void this.#peer?.then((p) => p?.close());
    this.#peer = null;
    this.#pc = null;
    this.#setTheirs(null);
  }

  close(): void {
    this.#mine?.getTracks().forEach((t) => t.stop());
    this.#mine = null;
    this.#closePeer();
    this.events.clear();
  }
}
