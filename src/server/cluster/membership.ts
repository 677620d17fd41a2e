/**
 * Node membership: which Parley nodes are alive, and cleaning up after one that died without
 * saying so (kill -9, a lost machine). Each node records the sockets it holds; when a node stops
 * heartbeating, exactly one survivor is handed that node's sockets and closes them on its
 * behalf — the same presence and call bookkeeping as a socket closing on the survivor itself —
 * and announces again the messages it may have committed without announcing them.
 * One node has nobody to clean up after (LocalMembership); several share Redis (redis-membership.ts).
 */

/** A socket held by a node, as much as its cleanup needs. */
export interface NodeSocket {
  userId: string;
  connectionId: string;
  /** Room guests have no presence to clear. */
  guest: boolean;
}

/**
 * A node records a conversation's send at most this often: one Redis write per conversation per
 * second instead of one per message. A recorded send's time can so be this much older than the
 * conversation's latest send.
 */
export const SEND_RECORDED_EVERY_MS = 1000;

/** A conversation a node was writing a message to, and when a send began (see SEND_RECORDED_EVERY_MS). */
export interface RecentSend {
  conversationId: string;
  at: number;
}

/** What a dead node left: the sockets it held and the conversations it sent to in its last minute. */
export interface LostNode {
  id: string;
  sockets: NodeSocket[];
  sends: RecentSend[];
}

export interface NodeInfo {
  id: string;
  /** Where this node listens (its own address, not the load balancer's). */
  address: string;
  startedAt: number;
  /** Which SFU this node runs group calls through. */
  sfu: "embedded" | "janus";
}

export interface MembershipEvents {
  /** Another node died. Exactly one survivor hears of each dead node. */
  lost(node: LostNode): Promise<void>;
  /**
   * This node was declared dead while still running (a long pause, Redis out of reach for
   * longer than the dead bound): its sockets were cleaned up by a survivor, so they must be
   * closed and their clients reconnect. The node goes on under a new id.
   */
  evicted(): void;
}

export interface Membership {
  readonly self: NodeInfo;
  /** Registers this node at `address`, then heartbeats and watches for dead nodes until close(). */
  start(address: string, events: MembershipEvents): Promise<void>;
  opened(socket: NodeSocket): void;
  closed(connectionId: string): void;
  /**
   * A message send into this conversation begins. Recorded before the message can commit, so if
   * this node dies between its commit and its announcement, a survivor announces it again.
   */
  sending(conversationId: string): void;
  /** The nodes alive now, this one included. */
  nodes(): Promise<NodeInfo[]>;
  /** Leaves the cluster: this node's sockets are closed by its own drain, not by a survivor. Idempotent. */
  close(): Promise<void>;
}

/** A single node: nobody else can die holding sockets, so there is nothing to record. */
export class LocalMembership implements Membership {
  readonly self: NodeInfo;

  constructor(self: Omit<NodeInfo, "address">) {
    this.self = { ...self, address: "" };
  }

  async start(address: string): Promise<void> {
    this.self.address = address;
  }

  opened(): void {}

  closed(): void {}

  sending(): void {}

  async nodes(): Promise<NodeInfo[]> {
    return [{ ...this.self }];
  }

  async close(): Promise<void> {}
}
