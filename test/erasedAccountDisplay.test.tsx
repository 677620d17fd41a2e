/**
 * An erased account in the client: it keeps a placeholder username (`deleted-<id>`) so its
 * messages keep an author, but it shows only as "Deleted user" — no @username, no presence dot —
 * and is never offered for an @mention. (Rendered to markup here; Chromium covers the DM page.)
 */
import { describe, expect, test } from "bun:test";
import { renderToStaticMarkup } from "react-dom/server";
import { erasedUsername } from "../src/shared/account";
import type { Conversation, PublicUser } from "../src/shared/protocol";
import { GroupMembers } from "../src/client/ui/chat/GroupMembers";
import { mentionable } from "../src/client/ui/chat/MentionSuggest";
import { handleOf } from "../src/client/ui/common/handle";
import { PresenceAvatar } from "../src/client/ui/common/PresenceAvatar";

const erased: PublicUser = { id: "u-gone", username: erasedUsername("u-gone"), displayName: "Deleted user", avatarUrl: null };
const dana: PublicUser = { id: "u-dana", username: "dana", displayName: "Dana", avatarUrl: null };
const me: PublicUser = { id: "u-me", username: "me", displayName: "Me", avatarUrl: null };

describe("an erased account in the client", () => {
  test("has no @username to show, while anyone else's is shown", () => {
    expect(handleOf(erased)).toBeNull();
    expect(handleOf(dana)).toBe("@dana");
  });

  test("is not offered when typing @, even by its placeholder username or its display name", () => {
    expect(mentionable([me, dana, erased], me.id, "")).toEqual([dana]);
    expect(mentionable([me, dana, erased], me.id, "deleted")).toEqual([]);
    expect(mentionable([me, dana, erased], me.id, "deleted-")).toEqual([]);
  });

  test("has no presence dot on its avatar, though an offline friend's avatar has one", () => {
    expect(renderToStaticMarkup(<PresenceAvatar user={erased} status="offline" />)).not.toContain('data-testid="presence"');
    expect(renderToStaticMarkup(<PresenceAvatar user={dana} status="offline" />)).toContain('data-testid="presence"');
  });

  test("is listed among a group's members as Deleted user, with no trace of its placeholder username", () => {
    const group = { id: "g1", kind: "group", members: [dana, erased] } as unknown as Conversation;
    const markup = renderToStaticMarkup(<GroupMembers conversation={group} />);
    expect(markup).toContain("Deleted user");
    expect(markup).toContain("@dana");
    expect(markup).not.toContain("deleted-");
  });
});
