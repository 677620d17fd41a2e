/**
 * How our tracks reach the others and theirs reach us — the one part of a call that depends on
 * the topology. The Call adds and removes the remote participants and publishes local tracks by
 * source; the transport reports remote tracks, per-participant connection state and quality.
 */
import type { Emitter } from "./emitter";
import type { CameraUse } from "./local-media";
import type { MediaSource } from "./peer-link";
import type { Signal } from "./peer";
import type { CallQuality } from "./quality";

export interface TransportEvents {
  track: { peer: string; source: MediaSource; track: MediaStreamTrack };
  connection: { peer: string; state: RTCPeerConnectionState };
  quality: { peer: string; quality: CallQuality };
  error: string;
}

export interface LinkInfo {
  peer: string;
  pc: RTCPeerConnection;
  /** Receiving track id → source, to read getStats() per source. */
  sources: Record<string, MediaSource>;
}

export interface MediaTransport {
  readonly events: Emitter<TransportEvents>;
  /** What our camera must be captured for to be sent this way. */
  readonly cameraUse: CameraUse;
  publish(source: MediaSource, track: MediaStreamTrack | null): void;
  addPeer(id: string): void;
  removePeer(id: string): void;
  /** Drops the connection to `id` and starts a fresh one (they came back with a new page). */
  restartPeer(id: string): void;
  handleSignal(from: string, signal: Signal): void;
  /** Outgoing signals were held while the call rang: send them now, and from now on at once. */
  release(): void;
  links(): LinkInfo[];
  close(): void;
}
