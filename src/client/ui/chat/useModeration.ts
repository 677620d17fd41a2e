/** Who may delete whose messages here: one's own always; in a space channel, lower ranks for roles with deleteMessages. */
import { useMemo } from "react";
import type { Conversation } from "../../../shared/protocol";
import { mayModerate } from "../../../shared/permissions";
import { roleOf, useSpaces } from "../../state/spaces";

/** (authorId) → the reader may delete that author's messages as a moderator. */
export function useModerates(conversation: Pick<Conversation, "kind" | "spaceId">): (authorId: string) => boolean {
  const myRole = useSpaces((s) => (conversation.kind === "channel" ? roleOf(s, conversation.spaceId) : undefined));
  const spaceMembers = useSpaces((s) => (conversation.spaceId ? s.members[conversation.spaceId] : undefined));
  const roles = useMemo(() => (spaceMembers ? new Map(spaceMembers.map((m) => [m.user.id, m.role])) : null), [spaceMembers]);
  // Until the member list is here, offer only our own.
  return (authorId: string) => !!roles && mayModerate(myRole, "deleteMessages", roles.get(authorId));
}
