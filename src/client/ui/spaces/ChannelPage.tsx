/**
 * A text channel: "# name" header, the shared message list and composer (a channel id is a
 * conversation id), and beside it an open thread or the member list (a sheet on narrow screens). While the
 * channel is open, visible and focused, its newest message is marked read.
 */
import { useReadWhileLooking } from "../chat/useReadWhileLooking";
import { useEffect, useMemo, useState } from "react";
import { defaultNotifyLevel, type Channel, type Conversation, type Space } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { setActiveConversation } from "../../state/chatActions";
import { loadInitial } from "../../state/chatHistory";
import { useSpaces } from "../../state/spaces";
import { markChannelRead, rememberChannel } from "../../state/spacesActions";
import { useSpacesUi } from "../../state/spacesUi";
import { Button } from "../common/Button";
import { cn } from "../common/cn";
import { Dialog } from "../common/Dialog";
import { HashIcon } from "../common/icons";
import { useMediaQuery } from "../common/useMediaQuery";
import { Composer } from "../chat/Composer";
import { useMayMentionEveryone } from "../chat/mentionContext";
import { MessageList } from "../chat/MessageList";
import { NotifyLevelMark, NotifyLevelMenu } from "../chat/NotifyMenu";
import { TypingLine } from "../chat/TypingLine";
import { ThreadPanel, useOpenThread } from "../chat/ThreadPanel";
import { MemberPanel } from "./MemberPanel";
import { MembersIcon } from "./spaceIcons";
import { useChannelPeople } from "./useChannelPeople";

export function ChannelPage({ space, channel }: { space: Space; channel: Channel }) {
  const members = useSpaces((s) => s.members[space.id]);
  const people = useChannelPeople(channel.id, members);
  const memberUsers = useMemo(() => (members ?? []).map((m) => m.user), [members]);
  const history = useChat((s) => s.history[channel.id]);
  const newestId = useChat((s) => s.messages[channel.id]?.at(-1)?.id);
  const unread = channel.unreadCount ?? 0;
  const level = channel.notifyLevel ?? defaultNotifyLevel("channel");
  const wide = useMediaQuery("(min-width: 64rem)");
  const panelOpen = useSpacesUi((s) => s.membersOpen) ?? true;
  const setPanelOpen = useSpacesUi((s) => s.setMembersOpen);
  const [sheetOpen, setSheetOpen] = useState(false);
  const membersShown = wide ? panelOpen : sheetOpen;
  const threadId = useOpenThread(channel.id);
  const broadcasts = useMayMentionEveryone({ kind: "channel", spaceId: space.id });

  // What the shared message list needs to know of the channel.
  const conversation = useMemo<Conversation>(
    () => ({
      id: channel.id,
      kind: "channel",
      spaceId: space.id,
      name: channel.name,
      ownerId: space.ownerId,
      members: people,
      reads: {},
      lastMessage: null,
      unreadCount: channel.unreadCount ?? 0,
      mentionCount: 0,
      notifyLevel: level,
      readOnly: false,
      createdAt: space.createdAt,
    }),
    [channel.id, channel.name, channel.unreadCount, level, space.id, space.ownerId, space.createdAt, people],
  );

  useEffect(() => {
    setActiveConversation(channel.id);
    rememberChannel(space.id, channel.id);
    void loadInitial(channel.id);
    return () => setActiveConversation(null);
  }, [channel.id, space.id]);

  // Read while looking: on open, on each new message, and when the window regains focus.
  useReadWhileLooking(() => markChannelRead(channel.id), [channel.id, newestId, unread]);

  return (
    <div className="flex h-full min-h-0">
      <div className="flex min-w-0 flex-1 flex-col" data-testid="conversation" data-conversation-id={channel.id} data-channel-name={channel.name}>
        <header className="flex h-12 shrink-0 items-center gap-2 border-b border-zinc-200/80 px-4 sm:px-6 md:h-14 dark:border-zinc-800">
          <HashIcon className="size-5 shrink-0 text-zinc-400" />
          <h1 data-testid="channel-title" className="min-w-0 flex-1 truncate text-[0.9375rem] font-semibold tracking-tight text-zinc-900 dark:text-zinc-100">
            {channel.name}
          </h1>
          <NotifyLevelMark kind="channel" level={level} />
          <NotifyLevelMenu conversationId={channel.id} level={level} />
          <button
            type="button"
            aria-pressed={membersShown}
            aria-label={membersShown ? "Hide member list" : "Show member list"}
            title={membersShown ? "Hide member list" : "Show member list"}
            data-testid="toggle-members"
            onClick={() => (wide ? setPanelOpen(!panelOpen) : setSheetOpen(true))}
            className={cn(
              "rounded-lg p-2 transition-colors hover:bg-zinc-100 dark:hover:bg-zinc-800",
              membersShown ? "text-zinc-900 dark:text-white" : "text-zinc-500 dark:text-zinc-400",
            )}
          >
            <MembersIcon className="size-5" />
          </button>
        </header>
        {history?.status === "error" ? (
          <div className="flex flex-1 flex-col items-center justify-center gap-3 px-6 text-center">
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Couldn't load messages. {history.error}</p>
            <Button variant="secondary" size="sm" onClick={() => void loadInitial(channel.id)}>
              Try again
            </Button>
          </div>
        ) : (
          <MessageList key={channel.id} conversation={conversation} />
        )}
        <Composer
          conversationId={channel.id}
          readOnly={false}
          placeholder={`Message #${channel.name}`}
          status={<TypingLine conversationId={channel.id} />}
          members={memberUsers}
          broadcasts={broadcasts}
        />
      </div>
      {threadId ? (
        <ThreadPanel conversation={conversation} rootId={threadId} />
      ) : wide && panelOpen ? (
        <aside aria-label="Members" className="w-60 shrink-0 overflow-y-auto border-l border-zinc-200/80 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900/60">
          <MemberPanel spaceId={space.id} />
        </aside>
      ) : null}
      {!wide ? (
        <Dialog open={sheetOpen} onClose={() => setSheetOpen(false)} title="Members" variant="sheet" hideTitle className="overflow-y-auto rounded-none bg-zinc-50 pt-12 dark:bg-zinc-900">
          <MemberPanel spaceId={space.id} />
        </Dialog>
      ) : null}
    </div>
  );
}
