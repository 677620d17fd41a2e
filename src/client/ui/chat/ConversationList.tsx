/** Conversations, latest activity first: avatar (with presence for DMs), name, preview, unread badge. */
import { BidiText } from "../common/BidiText";
import type { Conversation } from "../../../shared/protocol";
import { useChat } from "../../state/chat";
import { conversationTitle, otherMember, presenceOf, sortConversations } from "../../state/chatSelectors";
import { useRouter } from "../../state/router";
import { Avatar } from "../common/Avatar";
import { cn } from "../common/cn";
import { Link } from "../common/Link";
import { PresenceAvatar } from "../common/PresenceAvatar";
import { NotifyLevelMark } from "./NotifyMenu";
import { isQuiet } from "../../state/notifyLevel";

export function ConversationList({ variant = "sidebar", onNavigate }: { variant?: "sidebar" | "page"; onNavigate?: () => void }) {
  const conversations = useChat((s) => s.conversations);
  const ready = useChat((s) => s.ready);
  const path = useRouter((s) => s.path);
  const list = sortConversations(conversations);

  if (!ready) return <p className="mt-2 px-3 text-[0.8125rem] text-zinc-400">Loading…</p>;
  if (list.length === 0) {
    return <p className="mt-2 px-3 text-[0.8125rem] text-zinc-500">No conversations yet</p>;
  }
  return (
    <ul className={cn("flex flex-col", variant === "sidebar" ? "mt-1.5 gap-0.5" : "gap-1")} data-testid="conversation-list">
      {list.map((c) => (
        <li key={c.id}>
          <ConversationItem c={c} active={path === `/c/${c.id}`} variant={variant} onNavigate={onNavigate} />
        </li>
      ))}
    </ul>
  );
}

function ConversationItem({ c, active, variant, onNavigate }: { c: Conversation; active: boolean; variant: "sidebar" | "page"; onNavigate?: () => void }) {
  const meId = useChat((s) => s.meId);
  const other = c.kind === "dm" ? otherMember(c, meId) : undefined;
  const presence = useChat((s) => (other ? presenceOf(s, other.id) : undefined));
  const title = conversationTitle(c, meId);
  const unread = c.unreadCount;
  const quiet = isQuiet(c.kind, c.notifyLevel);
  const last = c.lastMessage;
  const preview = last ? `${previewAuthor(c, last.authorId, meId)}${previewText(last)}` : c.kind === "dm" ? "No messages yet" : `${c.members.length} members`;
  const ring = variant === "sidebar" ? "ring-zinc-50 dark:ring-zinc-900" : "ring-white dark:ring-zinc-950";

  return (
    <Link
      href={`/c/${c.id}`}
      onClick={onNavigate}
      aria-current={active ? "page" : undefined}
      data-testid="conversation-item"
      data-conversation-id={c.id}
      data-unread={unread}
      data-quiet={quiet ? "true" : "false"}
      className={cn(
        "group flex items-center gap-3 rounded-lg transition-colors",
        variant === "sidebar" ? "px-2 py-1.5" : "px-3 py-2.5",
        active
          ? "bg-white shadow-xs ring-1 ring-zinc-900/5 dark:bg-zinc-800 dark:ring-white/5"
          : "hover:bg-zinc-200/60 dark:hover:bg-zinc-800/60",
      )}
    >
      {other ? (
        <PresenceAvatar user={other} status={presence} size={variant === "page" ? "md" : "sm"} ring={active ? "ring-white dark:ring-zinc-800" : ring} />
      ) : (
        <Avatar name={title} seed={c.id} size={variant === "page" ? "md" : "sm"} />
      )}
      <span className="min-w-0 flex-1">
        <span className="flex min-w-0 items-center gap-1">
          <span
            className={cn(
              "truncate text-sm",
              unread && !quiet ? "font-semibold text-zinc-900 dark:text-white" : "font-medium text-zinc-700 dark:text-zinc-300",
            )}
          >
            <bdi>{title}</bdi>
          </span>
          <NotifyLevelMark kind={c.kind} level={c.notifyLevel} />
        </span>
        <span className={cn("block truncate text-xs", unread && !quiet ? "text-zinc-700 dark:text-zinc-300" : "text-zinc-500 dark:text-zinc-500")}>
          <bdi>
            <BidiText text={preview} />
          </bdi>
        </span>
      </span>
      {c.mentionCount > 0 ? (
        <span
          data-testid="mention-badge"
          className="ml-1 inline-flex h-5 shrink-0 items-center justify-center rounded-full bg-red-500 px-1.5 text-[0.6875rem] font-bold text-white"
        >
          @{c.mentionCount > 1 ? (c.mentionCount > 99 ? "99+" : c.mentionCount) : ""}
          <span className="sr-only">{c.mentionCount === 1 ? " mention" : " mentions"}</span>
        </span>
      ) : null}
      {unread > 0 ? (
        <span
          data-testid="unread-badge"
          data-quiet={quiet ? "true" : "false"}
          className={cn(
            "ml-1 inline-flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full px-1.5 text-[0.6875rem] font-bold",
            quiet ? "bg-zinc-300 text-zinc-600 dark:bg-zinc-700 dark:text-zinc-300" : "bg-red-500 text-white",
          )}
        >
          {unread > 99 ? "99+" : unread}
          <span className="sr-only"> unread</span>
        </span>
      ) : null}
    </Link>
  );
}

/** The text, or for a message of files alone what they are ("📎 photo.png", "📎 3 files"). */
function previewText(last: NonNullable<Conversation["lastMessage"]>): string {
  if (last.content) return last.content;
  const files = last.attachments?.length ?? last.attachmentCount ?? 0;
  if (files === 0) return "";
  return `📎 ${files === 1 && last.attachments?.[0] ? last.attachments[0].name : files === 1 ? "A file" : `${files} files`}`;
}

/** "You: " on our own messages; in a group, whose message it is. */
function previewAuthor(c: Conversation, authorId: string | null, meId: string | null): string {
  if (authorId === meId) return "You: ";
  if (c.kind !== "group" || !authorId) return "";
  const name = c.members.find((m) => m.id === authorId)?.displayName;
  return name ? `${name}: ` : "";
}
