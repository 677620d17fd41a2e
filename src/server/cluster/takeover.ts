/**
 * What a survivor does after a dead node. Its sockets get exactly what their own close would
 * have done on that node — presence drops the connection (the user goes offline unless connected
 * elsewhere) and the call service starts its grace period for a call the socket carried (ending
 * the call, or removing the participant from a group call, unless they resume on a live node
 * meanwhile). And the messages it may have committed but not announced are announced: the
 * recent ones of each conversation it was sending to (clients keep one copy per id). Before all
 * that, the SFU rooms it held move to this node (sfu/placement.ts).
 */
import { idFloor } from "../../shared/ids";
import type { Logger } from "../obs/log";
import { SEND_RECORDED_EVERY_MS, type LostNode, type NodeSocket } from "./membership";

export interface Survivor {
  presence: { handleDisconnect(userId: string, connectionId: string): Promise<void> };
  calls: { handleDisconnect(userId: string, connectionId: string): Promise<void> };
  messages: { reannounce(conversationId: string, after: string): Promise<number> };
  sfu: { adopt(node: string): Promise<void> };
}

/** Users handled at once: enough to finish a big node quickly, few enough not to flood Redis. */
const PARALLEL_USERS = 32;
/**
 * A message's id is minted when its send begins, and its commit may come a while later: as the
 * client's catch-up does (chatHistory.ts), look this far back from the last send's start.
 */
const LOOK_BACK_MS = 10_000;

export async function takeOver(node: LostNode, services: Survivor, log: Logger): Promise<void> {
  log.warn("node lost; taking over after it", { node: node.id, sockets: node.sockets.length, conversations: node.sends.length });
  // First, as media of whole calls stands still until their SFU rooms run here.
  await services.sfu.adopt(node.id).catch((err) => log.error("taking over a lost node's SFU rooms failed", { error: String(err) }));
  await closeSockets(node.sockets, services, log);
  let announced = 0;
  // Sends in flight when it died began shortly before its last one; older ones finished (announced or failed).
  const last = Math.max(0, ...node.sends.map((s) => s.at));
  // A conversation's recorded send may be up to SEND_RECORDED_EVERY_MS older than its latest.
  for (const { conversationId, at } of node.sends.filter((s) => s.at >= last - LOOK_BACK_MS - SEND_RECORDED_EVERY_MS)) {
    announced += await services.messages.reannounce(conversationId, idFloor(at - LOOK_BACK_MS)).catch((err) => {
      log.error("announcing a lost node's messages failed", { conversationId, error: String(err) });
      return 0;
    });
  }
  if (announced) log.info("announced a lost node's recent messages again", { node: node.id, messages: announced });
}

async function closeSockets(sockets: NodeSocket[], services: Survivor, log: Logger): Promise<void> {
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
