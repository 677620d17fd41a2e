/** Everyone a channel's messages may name: the space's members, plus authors who have since left. */
import { useEffect, useMemo } from "react";
import type { Message, PublicUser, SpaceMember } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { ensureUsers, useUserCache } from "../../state/userCache";

const NONE: Message[] = [];

export function useChannelPeople(channelId: string, members: SpaceMember[] | undefined): PublicUser[] {
  const messages = useChat((s) => s.messages[channelId] ?? NONE);
  const cache = useUserCache((s) => s.users);
  const missing = useMemo(() => {
    if (!members) return [];
    const known = new Set(members.map((m) => m.user.id));
    return [...new Set(messages.map((m) => m.authorId).filter((id): id is string => !!id && !known.has(id)))];
  }, [messages, members]);

  useEffect(() => ensureUsers(missing), [missing.join()]);

  return useMemo(() => {
    const people = (members ?? []).map((m) => m.user);
    for (const id of missing) if (cache[id]) people.push(cache[id]);
    return people;
  }, [members, missing.join(), cache]);
}
