/** One channel in the sidebar: a text channel (a link, with its unread mark) or a voice channel with who is in it. */
import { defaultNotifyLevel, type Channel, type Space } from "../../../shared/protocol";
import { useRouter } from "../../state/router";
import { channelUnread, useSpaces } from "../../state/spaces";
import { channelMentioned, useSpaceMentions } from "../../state/spacesMentions";
import { hangUp, useCall } from "../../state/call";
import { joinCall } from "../../state/groupCall";
import { Avatar } from "../common/Avatar";
import { cn } from "../common/cn";
import { HashIcon, SpeakerIcon } from "../common/icons";
import { MicOffIcon } from "../call/callIcons";
import { useChat } from "../../state/chat";
import { Link } from "../common/Link";
import { NotifyLevelMark } from "../chat/NotifyMenu";
import { isQuiet } from "../../state/notifyLevel";
import { channelPath } from "./spaceRoutes";

interface ItemProps {
  space: Space;
  channel: Channel;
  /** The row is dragged (not the link inside it), and Alt+↑/↓ moves it. */
  reorderable: boolean;
}

/** Room on the right for the edit button, and the drag grip when reorderable. */
const padRight = (reorderable: boolean) => (reorderable ? "pr-11" : "pr-8");

export function TextChannelItem({ space, channel, reorderable, onNavigate }: ItemProps & { onNavigate?: () => void }) {
  const href = channelPath(space.id, channel.id);
  const active = useRouter((s) => s.path === href);
  const unread = channelUnread(channel) > 0 && !active;
  const mentioned = useSpaceMentions((s) => channelMentioned(s.mentioned, channel)) && !active;
  const quiet = isQuiet("channel", channel.notifyLevel ?? defaultNotifyLevel("channel"));
  return (
    <Link
      href={href}
      onClick={onNavigate}
      draggable={reorderable ? false : undefined}
      aria-keyshortcuts={reorderable ? "Alt+ArrowUp Alt+ArrowDown" : undefined}
      aria-current={active ? "page" : undefined}
      aria-label={mentioned ? `${channel.name}, unread, mentions you` : unread ? `${channel.name}, unread` : channel.name}
      data-testid="channel-item"
      data-channel-id={channel.id}
      data-channel-name={channel.name}
      data-unread={unread ? "true" : "false"}
      data-quiet={quiet ? "true" : "false"}
      className={cn(
        "relative flex items-center gap-1.5 rounded-md py-1.5 pl-2 text-[0.9375rem] transition-colors",
        padRight(reorderable),
        active
          ? "bg-white font-medium text-zinc-900 shadow-xs ring-1 ring-zinc-900/5 dark:bg-zinc-800 dark:text-white dark:ring-white/5"
          : unread && !quiet
            ? "font-semibold text-zinc-900 hover:bg-zinc-200/60 dark:text-white dark:hover:bg-zinc-800/60"
            : "text-zinc-500 hover:bg-zinc-200/60 hover:text-zinc-800 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-200",
      )}
    >
      {unread ? (
        <span
          aria-hidden="true"
          data-testid="channel-unread-dot"
          data-quiet={quiet ? "true" : "false"}
          className={cn("absolute -left-2 top-1/2 h-2 w-1 -translate-y-1/2 rounded-r-full", quiet ? "bg-zinc-400 dark:bg-zinc-600" : "bg-zinc-900 dark:bg-white")}
        />
      ) : null}
      <HashIcon className="size-4.5 shrink-0 opacity-70" />
      <bdi className="min-w-0 flex-1 truncate">{channel.name}</bdi>
      <NotifyLevelMark kind="channel" level={channel.notifyLevel} />
      {mentioned ? (
        <span data-testid="channel-mention" aria-hidden="true" className="inline-flex size-4.5 shrink-0 items-center justify-center rounded-full bg-red-500 text-[0.625rem] font-bold text-white">
          @
        </span>
      ) : null}
    </Link>
  );
}

/** Someone in a voice channel, speaking or muted: from our own call while we are in it, else from voice:state. */
function VoiceMember({ channel, user }: { channel: Channel; user: { id: string; displayName: string; avatarUrl: string | null } }) {
  const here = useCall((s) => s.conversationId === channel.id && s.phase === "active");
  const speaking = useCall((s) =>
    here ? !!(s.participants[user.id]?.speaking || s.roster[user.id]?.speaking || (user.id === useChatMe() && s.localSpeaking)) : channel.voiceSpeaking.includes(user.id),
  );
  const muted = useCall((s) =>
    here ? (s.participants[user.id] ? !s.participants[user.id]!.media.audio : user.id === useChatMe() && !s.local.audio) : channel.voiceMuted.includes(user.id),
  );
  return (
    <li data-testid="voice-member" data-user-id={user.id} data-speaking={speaking || undefined} className="flex items-center gap-2 py-0.5 text-sm text-zinc-600 dark:text-zinc-300">
      <Avatar name={user.displayName} seed={user.id} src={user.avatarUrl} className={cn("!size-5 !text-[0.5rem]", speaking && "ring-2 ring-emerald-500")} />
      <span className="min-w-0 flex-1 truncate">{user.displayName}</span>
      {muted ? <MicOffIcon role="img" aria-hidden={false} aria-label={`${user.displayName} is muted`} className="mr-2 size-3.5 shrink-0 text-red-500" /> : null}
    </li>
  );
}

const useChatMe = () => useChat.getState().meId;

export function VoiceChannelItem({ space, channel, reorderable }: ItemProps) {
  const inThisCall = useCall((s) => s.conversationId === channel.id && s.phase === "active");
  const members = useSpaces((s) => s.members[space.id]);
  const inside = channel.voiceMembers.map((id) => members?.find((m) => m.user.id === id)?.user ?? { id, displayName: "Someone", avatarUrl: null });
  return (
    <>
      <button
        type="button"
        aria-keyshortcuts={reorderable ? "Alt+ArrowUp Alt+ArrowDown" : undefined}
        data-testid="voice-channel-item"
        data-channel-id={channel.id}
        data-channel-name={channel.name}
        aria-label={inThisCall ? `${channel.name} (you're in this voice channel)` : `Join ${channel.name}`}
        onClick={() => void joinCall(channel.id)}
        className={cn(
          "flex w-full items-center gap-1.5 rounded-md py-1.5 pl-2 text-left text-[0.9375rem] text-zinc-500 transition-colors hover:bg-zinc-200/60 hover:text-zinc-800 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-200",
          padRight(reorderable),
        )}
      >
        <SpeakerIcon className="size-4.5 shrink-0 opacity-70" />
        <bdi className="min-w-0 flex-1 truncate">{channel.name}</bdi>
      </button>
      {inThisCall ? (
        <button type="button" onClick={() => void hangUp()} className="mb-1 ml-7 rounded-md px-2 py-0.5 text-xs font-medium text-red-600 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40">
          Leave voice
        </button>
      ) : null}
      {inside.length ? (
        <ul aria-label={`In ${channel.name}`} className="mb-1 ml-7 flex flex-col gap-0.5">
          {inside.map((u) => (
            <VoiceMember key={u.id} channel={channel} user={u} />
          ))}
        </ul>
      ) : null}
    </>
  );
}
