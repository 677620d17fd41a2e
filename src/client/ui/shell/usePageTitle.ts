/** The current page's title: a conversation's name under /c/:id, else the fixed page titles. */
import { useEffect } from "react";
import { useChat } from "../../state/chat";
import { conversationTitle, totalUnread } from "../../state/chatSelectors";
import { roomSlugOf, useRooms } from "../../state/rooms";
import { useRouter } from "../../state/router";
import { useSpaceTitle } from "../spaces/useSpaceTitle";
import { PAGE_TITLES } from "./titles";

export function conversationIdOf(path: string): string | null {
  const m = /^\/c\/([^/]+)\/?$/.exec(path);
  return m ? decodeURIComponent(m[1]!) : null;
}

export function usePageTitle(): string {
  const path = useRouter((s) => s.path);
  const id = conversationIdOf(path);
  const title = useChat((s) => {
    const c = id ? s.conversations[id] : undefined;
    return c ? conversationTitle(c, s.meId) : null;
  });
  const spaceTitle = useSpaceTitle(path);
  const slug = roomSlugOf(path);
  const room = useRooms((s) => {
    const p = slug ? s.previews[slug] : undefined;
    return p?.status === "ready" ? p.room.name : slug ? "Meeting" : null;
  });
  return title ?? spaceTitle ?? room ?? PAGE_TITLES[path] ?? (id ? "Conversation" : "Parley");
}

/** "(3) Alice · Parley": the unread total leads the tab title. */
export function useDocumentTitle(signedIn: boolean): void {
  const title = usePageTitle();
  const path = useRouter((s) => s.path);
  const unread = useChat((s) => totalUnread(s));
  useEffect(() => {
    const known = signedIn ? title !== "Parley" : !!PAGE_TITLES[path];
    const base = known ? `${signedIn ? title : PAGE_TITLES[path]} · Parley` : "Parley";
    document.title = signedIn && unread > 0 ? `(${unread}) ${base}` : base;
  }, [title, path, unread, signedIn]);
}
