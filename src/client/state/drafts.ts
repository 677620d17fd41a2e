/**
 * Composer drafts, one per user and conversation (or thread), kept in localStorage so a half
 * written message survives a reload or a closed tab. Cleared on send and on sign-out. Without
 * storage (private mode, full) drafts still last for the page's life.
 */
const PREFIX = "parley:draft:";

const memory = new Map<string, string>();

function keyOf(userId: string, place: string): string {
  return `${PREFIX}${userId}:${place}`;
}

/** The draft of a conversation (`place` is its id, or `conversationId/threadId` for a thread). */
export function loadDraft(userId: string | null, place: string): string {
  if (!userId) return "";
  const key = keyOf(userId, place);
  try {
    return localStorage.getItem(key) ?? memory.get(key) ?? "";
  } catch {
    return memory.get(key) ?? "";
  }
}

/** Keep `text` as the draft; an empty or blank one removes it. */
export function saveDraft(userId: string | null, place: string, text: string): void {
  if (!userId) return;
  const key = keyOf(userId, place);
  const blank = text.trim().length === 0;
  if (blank) memory.delete(key);
  else memory.set(key, text);
  try {
    if (blank) localStorage.removeItem(key);
    else localStorage.setItem(key, text);
  } catch {
    // the in-memory copy keeps it for this page
  }
}

/** Forget every draft of this user (sign-out on a shared computer). */
export function clearDrafts(userId: string): void {
  const prefix = keyOf(userId, "");
  for (const key of [...memory.keys()]) if (key.startsWith(prefix)) memory.delete(key);
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (key?.startsWith(prefix)) localStorage.removeItem(key);
    }
  } catch {
    // nothing stored
  }
}
