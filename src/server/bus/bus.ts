/**
 * The Bus carries every event bound for sockets, so one node and many nodes run the same
 * code path: services publish; each node's gateway subscribes and delivers to its own sockets.
 */
import type { ServerEvent } from "../../shared/protocol";
import type { SfuSignalIn } from "../../shared/sfu";

export type Target =
  | { users: string[]; exceptConnection?: string }
  | { conversation: string }
  /** Particular sockets (call signaling goes to one device, not every device of a user). */
  | { connections: string[] }
  /** Every socket of every member of a space. */
  | { space: string };

export type BusEvent =
  /** Deliver a server event to every socket of these users, or of this conversation's members. */
  | { type: "deliver"; to: Target; event: ServerEvent }
  /** A user joined or left a DM, group or room: nodes start or stop delivering its events to that user's sockets. */
  | { type: "membership"; userId: string; conversationId: string; joined: boolean }
  /** A user joined or left a space: their sockets (un)subscribe the space and its channels. */
  | { type: "space-membership"; userId: string; spaceId: string; joined: boolean; conversationIds: string[] }
  /** A channel appeared or went: every local socket in the space (un)subscribes it. */
  | { type: "channel:subscribe"; spaceId: string; conversationId: string; subscribe: boolean }
  /** Sessions ended (logout, revocation): nodes close those sockets with 4401. */
  | { type: "sessions:ended"; userId: string; sessionIds: string[] | "all" }
  /** What these users' hello shows changed with no event to them (e.g. their own settings): nodes drop their cached hello. */
  | { type: "hello:stale"; userIds: string[] }
  /** To the node holding a call's SFU room (sfu/placement.ts): the call changed or ended, read it and follow. */
  | { type: "sfu:sync"; node: string; callId: string }
  /** To the node holding a call's SFU room: a participant's sfu:signal frame, taken on another node's socket. */
  | { type: "sfu:signal"; node: string; callId: string; participantId: string; signal: SfuSignalIn };

export type BusHandler = (event: BusEvent) => void;

export interface Bus {
  publish(event: BusEvent): Promise<void>;
  /** Returns an unsubscribe function. Handlers see events in publish order. */
  subscribe(handler: BusHandler): () => void;
  ping(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * The bus, wrapped so `see` gets each event this node publishes before it is sent (a cache is
 * then never behind this node's own answers) and every event any node publishes as it arrives.
 */
export function watched(bus: Bus, see: BusHandler): Bus {
  bus.subscribe(see);
  return {
    publish: (e) => {
      see(e);
      return bus.publish(e);
    },
    subscribe: (h) => bus.subscribe(h),
    ping: () => bus.ping(),
    close: () => bus.close(),
  };
}
