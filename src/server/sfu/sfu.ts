/**
 * A selective forwarding unit: media of a call's participants goes through it instead of a
 * mesh. Each participant has two links to it — "publish" (the client offers its own tracks)
 * and "subscribe" (the SFU offers everyone else's) — so neither side ever has to resolve glare.
 * The call service drives it and relays its events; clients only see `sfu:*` frames, so an
 * external SFU (Janus VideoRoom) implements the same interface without touching them.
 */

import type { SfuLink, SfuSignalIn, SfuSignalOut, SfuSource } from "../../shared/sfu";

export type { SfuLayer, SfuLink, SfuSignalIn, SfuSignalOut, SfuSource, SfuTrackInfo } from "../../shared/sfu";

export type SfuConnectionState = "connecting" | "connected" | "disconnected" | "failed" | "closed";

export type SfuEvent =
  | { type: "signal"; callId: string; to: string; signal: SfuSignalOut }
  | { type: "track"; callId: string; participantId: string; source: SfuSource; published: boolean }
  /** The loudest participant changed (null: nobody is speaking); levels 0 (silence) … 1. */
  | { type: "speaker"; callId: string; participantId: string | null; levels: Record<string, number> }
  | { type: "connection"; callId: string; participantId: string; link: SfuLink; state: SfuConnectionState };

export interface Sfu {
  /** Prepares a call's room; idempotent. */
  open(callId: string): Promise<void>;
  /** Adds a participant to an open call; idempotent. */
  join(callId: string, participantId: string): Promise<void>;
  /** Handles a participant's signal; throws an AppError-coded Error on bad input. */
  signal(callId: string, participantId: string, signal: SfuSignalIn): Promise<void>;
  /** Removes a participant: its publications end for everyone; idempotent. */
  leave(callId: string, participantId: string): Promise<void>;
  /** Ends a call's room and every link in it; idempotent. */
  close(callId: string): Promise<void>;
  /** Ends every room; idempotent. */
  close(): Promise<void>;
  /** Registers a listener for events out; returns its unsubscribe. */
  on(listener: (event: SfuEvent) => void): () => void;
}

/** Simulcast rids a publisher's camera sends, lowest first (the client sets them on publish). */
export const SIMULCAST_RIDS = { low: "l", mid: "m", high: "h" } as const;
