/**
 * Keeps the outbox in localStorage so a message written but not yet acknowledged survives a page
 * reload or a closed tab: one key per message, so several tabs of the same user never overwrite
 * each other's entries. Re-sending is safe because the server keys messages by clientId.
 * Entries go away when acknowledged, discarded, or when the user signs out.
 */
import type { Outgoing } from "./chat";

const PREFIX = "parley:outbox:";

interface Stored extends Outgoing {
  userId: string;
}

function each(fn: (key: string) => void): void {
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const key = localStorage.key(i);
    if (key?.startsWith(PREFIX)) fn(key);
  }
}

function parse(raw: string | null): Stored | null {
  try {
    const v = raw ? (JSON.parse(raw) as Partial<Stored>) : null;
    if (!v || typeof v.clientId !== "string" || typeof v.conversationId !== "string" || typeof v.content !== "string") return null;
    if (typeof v.userId !== "string" || typeof v.createdAt !== "string") return null;
    return { ...(v as Stored), status: v.status === "failed" ? "failed" : "pending" };
  } catch {
    return null;
  }
}

/** The stored messages of this user, oldest first. */
export function loadOutbox(userId: string): Outgoing[] {
  const found: Outgoing[] = [];
  try {
    each((key) => {
      const v = parse(localStorage.getItem(key));
      if (!v) localStorage.removeItem(key);
      else if (v.userId === userId) {
        const { userId: _u, ...o } = v;
        found.push(o);
      }
    });
  } catch {
    // storage unavailable (private mode, disabled): nothing was kept
  }
  return found.sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
}

/** Write what changed between two outboxes. */
export function saveOutboxChanges(userId: string, prev: Record<string, Outgoing[]>, next: Record<string, Outgoing[]>): void {
  const before = new Map(Object.values(prev).flat().map((o) => [o.clientId, o]));
  try {
    for (const o of Object.values(next).flat()) {
      if (before.get(o.clientId) !== o) localStorage.setItem(PREFIX + o.clientId, JSON.stringify({ ...o, userId }));
      before.delete(o.clientId);
    }
    for (const clientId of before.keys()) localStorage.removeItem(PREFIX + clientId);
  } catch {
    // a full or unavailable storage only costs the reload guarantee, never the send itself
  }
}

/** Forget every stored message of this user (sign-out on a shared computer). */
export function clearOutbox(userId: string): void {
  try {
    each((key) => {
      if (parse(localStorage.getItem(key))?.userId === userId) localStorage.removeItem(key);
    });
  } catch {
    // nothing to clear
  }
}
