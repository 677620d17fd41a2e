/**
 * Who can be mentioned in the conversation on screen (its members, or the space's for a
 * channel) and who the reader is, for drawing `@username` and spotting mentions of the reader.
 */
import { createContext, useContext, useMemo } from "react";
import { mentionedUsernames, type Conversation, type Message, type PublicUser } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { roleOf, useSpaces } from "../../state/spaces";
import { can } from "../../../shared/permissions";

export interface Mentionables {
  byUsername: ReadonlyMap<string, PublicUser>;
  meUsername: string | null;
}

const NONE: Mentionables = { byUsername: new Map(), meUsername: null };
export const MentionContext = createContext<Mentionables>(NONE);

export function useMentionContext(): Mentionables {
  return useContext(MentionContext);
}

const NO_USERS: PublicUser[] = [];

/** The people who may be mentioned here: a channel's space members, else the conversation's. */
export function useMembersOf(conversation: Pick<Conversation, "kind" | "spaceId" | "members">): PublicUser[] {
  const spaceMembers = useSpaces((s) => (conversation.kind === "channel" && conversation.spaceId ? s.members[conversation.spaceId] : undefined));
  return useMemo(() => (spaceMembers ? spaceMembers.map((m) => m.user) : conversation.kind === "channel" ? NO_USERS : conversation.members), [spaceMembers, conversation.kind, conversation.members]);
}

/** The reader may send `@everyone` / `@here` here: the server's rule (a space channel, the mentionEveryone permission). */
export function useMayMentionEveryone(conversation: Pick<Conversation, "kind" | "spaceId">): boolean {
  return useSpaces((s) => conversation.kind === "channel" && can(roleOf(s, conversation.spaceId), "mentionEveryone"));
}

export function useMentionables(conversation: Pick<Conversation, "kind" | "spaceId" | "members">): Mentionables {
  const members = useMembersOf(conversation);
  const meId = useChat((s) => s.meId);
  return useMemo(() => {
    const byUsername = new Map(members.map((u) => [u.username, u]));
    return { byUsername, meUsername: members.find((u) => u.id === meId)?.username ?? null };
  }, [members, meId]);
}

/** The message names the reader with @username (and they are a member here). */
export function mentionsMe(m: Pick<Message, "content" | "authorId">, ctx: Mentionables, meId: string | null): boolean {
  return !!ctx.meUsername && m.authorId !== meId && mentionedUsernames(m.content).has(ctx.meUsername);
}
