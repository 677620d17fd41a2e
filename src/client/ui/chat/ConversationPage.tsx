/**
 * /c/:conversationId — header, messages, typing line and composer, and an open thread beside
 * them (instead of a group's member list). While the conversation is
 * open, visible and the window focused, the newest message is marked read.
 */
import { useReadWhileLooking } from "./useReadWhileLooking";
import { useEffect, useState } from "react";
import { ApiError, describeError } from "../../api";
import { useChat } from "../../state/chat";
import { markRead, setActiveConversation } from "../../state/chatActions";
import { loadInitial } from "../../state/chatHistory";
import { conversationTitle, otherMember, presenceOf, PRESENCE_LABEL } from "../../state/chatSelectors";
import { fetchConversation } from "../../state/social";
import { useUi } from "../../state/ui";
import { Avatar } from "../common/Avatar";
import { Button } from "../common/Button";
import { ChatIcon, Spinner } from "../common/icons";
import { Link } from "../common/Link";
import { PresenceAvatar } from "../common/PresenceAvatar";
import { ProfileTrigger } from "../common/ProfileTrigger";
import { useMediaQuery } from "../common/useMediaQuery";
import { EmptyState } from "../shell/SectionPage";
import { Composer } from "./Composer";
import { GroupActions } from "./GroupActions";
import { GroupMembers } from "./GroupMembers";
import { NotifyLevelMark, NotifyLevelMenu } from "./NotifyMenu";
import { MessageList } from "./MessageList";
import { TypingLine } from "./TypingLine";
import { ThreadPanel, useOpenThread } from "./ThreadPanel";
import { CallButtons } from "../call/CallLayer";
import { LiveCallBanner } from "../call/LiveCallBanner";
import { handleOf } from "../common/handle";

export function ConversationPage({ conversationId }: { conversationId: string }) {
  const conversation = useChat((s) => s.conversations[conversationId]);
  const ready = useChat((s) => s.ready);
  const [missing, setMissing] = useState<string | null>(null);

  useEffect(() => {
    setActiveConversation(conversationId);
    return () => setActiveConversation(null);
  }, [conversationId]);

  // A deep link, or a conversation whose event has not arrived yet.
  useEffect(() => {
    setMissing(null);
    if (!ready || conversation) return;
    fetchConversation(conversationId).catch((err) =>
      setMissing(err instanceof ApiError && (err.code === "FORBIDDEN" || err.code === "NOT_FOUND") ? "gone" : describeError(err)),
    );
  }, [conversationId, ready, !!conversation]);

  if (conversation) return <ConversationView key={conversationId} conversationId={conversationId} />;
  if (missing) {
    return (
      <EmptyState icon={<ChatIcon className="size-7" />} title={missing === "gone" ? "Conversation not found" : "Couldn't open this conversation"} testId="conversation-missing">
        {missing === "gone" ? "It doesn't exist, or you're not a member of it." : missing}{" "}
        <Link href="/friends" className="font-medium text-brand-600 hover:underline dark:text-brand-400">
          Back to friends
        </Link>
      </EmptyState>
    );
  }
  return (
    <div role="status" className="flex h-full items-center justify-center text-zinc-400">
      <Spinner className="size-5" />
      <span className="sr-only">Loading conversation</span>
    </div>
  );
}

function ConversationView({ conversationId }: { conversationId: string }) {
  const conversation = useChat((s) => s.conversations[conversationId])!;
  const meId = useChat((s) => s.meId);
  const history = useChat((s) => s.history[conversationId]);
  const newestId = useChat((s) => s.messages[conversationId]?.at(-1)?.id);
  const title = conversationTitle(conversation, meId);
  const peer = conversation.kind === "dm" ? otherMember(conversation, meId) : undefined;
  const wide = useMediaQuery("(min-width: 48rem)");
  const panel = useMediaQuery("(min-width: 64rem)");
  const membersOpen = useUi((s) => s.groupMembersOpen);
  const threadId = useOpenThread(conversationId);

  useEffect(() => {
    void loadInitial(conversationId);
  }, [conversationId]);

  // Read while looking: on open, on each new message, and when the window regains focus.
  useReadWhileLooking(() => markRead(conversationId), [conversationId, newestId, conversation.unreadCount]);

  return (
    <div className="flex h-full min-h-0 flex-col" data-testid="conversation" data-conversation-id={conversationId}>
      {wide ? <ConversationHeader conversationId={conversationId} /> : null}
      {conversation.kind === "group" ? <LiveCallBanner conversationId={conversationId} /> : null}
      <div className="flex min-h-0 flex-1">
        <div className="flex min-w-0 flex-1 flex-col">
          {history?.status === "error" ? (
            <div className="flex flex-1 flex-col items-center justify-center gap-3 px-6 text-center">
              <p className="text-sm text-zinc-600 dark:text-zinc-400">Couldn't load messages. {history.error}</p>
              <Button variant="secondary" size="sm" onClick={() => void loadInitial(conversationId)}>
                Try again
              </Button>
            </div>
          ) : (
            <MessageList conversation={conversation} />
          )}
          <Composer
            conversationId={conversationId}
            readOnly={conversation.readOnly}
            placeholder={conversation.kind === "dm" ? `Message ${(peer && handleOf(peer)) ?? title}` : `Message ${title}`}
            status={<TypingLine conversationId={conversationId} />}
            members={conversation.members}
          />
        </div>
        {threadId ? (
          <ThreadPanel conversation={conversation} rootId={threadId} />
        ) : conversation.kind === "group" && panel && membersOpen ? (
          <aside aria-label="Group members" className="w-60 shrink-0 overflow-y-auto border-l border-zinc-200/80 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900/60">
            <GroupMembers conversation={conversation} />
          </aside>
        ) : null}
      </div>
    </div>
  );
}

function ConversationHeader({ conversationId }: { conversationId: string }) {
  const conversation = useChat((s) => s.conversations[conversationId])!;
  const meId = useChat((s) => s.meId);
  const other = conversation.kind === "dm" ? otherMember(conversation, meId) : undefined;
  const presence = useChat((s) => (other ? presenceOf(s, other.id) : undefined));
  const title = conversationTitle(conversation, meId);
  return (
    <header className="flex h-14 shrink-0 items-center gap-3 border-b border-zinc-200/80 px-4 sm:px-6 dark:border-zinc-800">
      {other ? (
        <ProfileTrigger user={other} label={`Profile of ${other.displayName}`} skipTab className="rounded-full">
          <PresenceAvatar user={other} status={presence} />
        </ProfileTrigger>
      ) : (
        <Avatar name={title} seed={conversation.id} size="sm" />
      )}
      <div className="min-w-0">
        <div className="flex items-center gap-1.5">
          <h1 data-testid="conversation-title" className="truncate text-[0.9375rem] font-semibold tracking-tight text-zinc-900 dark:text-zinc-100">
            {other ? (
              <ProfileTrigger user={other} className="max-w-full truncate hover:underline" testId="conversation-title-button">
                <bdi>{title}</bdi>
              </ProfileTrigger>
            ) : (
              <bdi>{title}</bdi>
            )}
          </h1>
          <NotifyLevelMark kind={conversation.kind} level={conversation.notifyLevel} />
        </div>
        <p className="truncate text-xs text-zinc-500 dark:text-zinc-400" data-testid="conversation-status" data-member-count={conversation.members.length}>
          {/* An erased account's username is a placeholder; its presence means nothing. */}
          {conversation.readOnly === "deleted" ? "Account deleted" : other ? `${presence ? PRESENCE_LABEL[presence] : ""} · ${handleOf(other)}` : `${conversation.members.length} members`}
        </p>
      </div>
      {/* Nothing arrives from a deleted account, so there is nothing to be notified of either. */}
      {conversation.kind === "dm" && conversation.readOnly !== "deleted" ? (
        <div className="ml-auto flex shrink-0 items-center gap-0.5">
          <CallButtons conversationId={conversationId} />
          <NotifyLevelMenu conversationId={conversationId} level={conversation.notifyLevel} />
        </div>
      ) : null}
      {conversation.kind === "group" ? (
        <div className="ml-auto flex shrink-0 items-center gap-0.5">
          <CallButtons conversationId={conversationId} />
          <GroupActions conversation={conversation} />
        </div>
      ) : null}
    </header>
  );
}
