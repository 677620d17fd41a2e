/**
 * Replies: which message the composer of each conversation is answering, and jumping to an
 * original — paging older history in until it is held, then scrolling to it and flashing it.
 */
import { create } from "zustand";
import type { Message } from "../../shared/protocol";
import { useChat } from "./chat";
import { loadOlder } from "./chatHistory";

/** conversationId → the message being replied to. */
export const useReplying = create<Record<string, Message | undefined>>()(() => ({}));

export function startReply(m: Message): void {
  useReplying.setState({ [m.conversationId]: m });
}

export function cancelReply(conversationId: string): void {
  useReplying.setState({ [conversationId]: undefined });
}

/** How long the original stays highlighted after a jump. */
const FLASH_MS = 2000;
/** A year of history is reachable; beyond this many pages, give up rather than loop. */
const MAX_PAGES = 200;

/** Pages older history in until `messageId` is held; false if it never comes. */
async function holdMessage(conversationId: string, messageId: string): Promise<boolean> {
  for (let i = 0; i < MAX_PAGES; i++) {
    const s = useChat.getState();
    const list = s.messages[conversationId] ?? [];
    if (list.some((m) => m.id === messageId)) return true;
    const h = s.history[conversationId];
    if (!h || !h.hasMoreBefore || (list[0] && list[0].id < messageId)) return false;
    await loadOlder(conversationId);
    if (useChat.getState().history[conversationId]?.loadingOlder) return false;
  }
  return false;
}

export async function jumpToMessage(conversationId: string, messageId: string): Promise<void> {
  if (!(await holdMessage(conversationId, messageId))) return;
  // The list renders the page that just came in on the next frame.
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>(`[data-testid="message"][data-message-id="${CSS.escape(messageId)}"]`);
    if (!el) return;
    el.scrollIntoView({ block: "center" });
    el.dataset.flash = "true";
    setTimeout(() => delete el.dataset.flash, FLASH_MS);
  });
}
