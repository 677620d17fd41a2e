/**
 * What a survivor does with a dead node's sockets: exactly what their own close would have done
 * on that node — presence drops the connection (the user goes offline unless connected elsewhere)
 * and the call service starts its grace period for a call the socket carried (ending the call,
 * or removing the participant from a group call, unless they resume on a live node meanwhile).
 */
import type { Logger } from "../obs/log";
import type { NodeSocket } from "./membership";

export interface SocketCloser {
  presence: { handleDisconnect(userId: string, connectionId: string): Promise<void> };
  calls: { handleDisconnect(userId: string, connectionId: string): Promise<void> };
}

/** Users handled at once: enough to finish a big node quickly, few enough not to flood Redis. */
const PARALLEL_USERS = 32;

export async function closeSocketsOf(nodeId: string, sockets: NodeSocket[], services: SocketCloser, log: Logger): Promise<void> {
  log.warn("node lost; closing its sockets", { node: nodeId, sockets: sockets.length });
  const byUser = new Map<string, NodeSocket[]>();
  for (const s of sockets) byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s]);
  const users = [...byUser.values()];
  for (let i = 0; i < users.length; i += PARALLEL_USERS) {
    // One user's sockets one after the other: presence compares before and after each change.
    await Promise.all(
      users.slice(i, i + PARALLEL_USERS).map(async (own) => {
        for (const s of own) {
          if (!s.guest) await services.presence.handleDisconnect(s.userId, s.connectionId).catch((err) => log.error("presence cleanup failed", { error: String(err) }));
          await services.calls.handleDisconnect(s.userId, s.connectionId).catch((err) => log.error("call cleanup failed", { error: String(err) }));
        }
      }),
    );
  }
}
