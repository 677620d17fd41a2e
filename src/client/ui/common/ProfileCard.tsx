/**
 * Someone's profile card, as Discord has it: opened from their name or avatar, a popover beside
 * it (a bottom sheet on phones) with the avatar, display name, @username — always, so a
 * look-alike name never passes for someone else — presence as far as it is shared with us, and
 * what we can do: message a friend, add someone, answer or cancel a request.
 * A modal <dialog>: Escape or a press outside closes it and focus goes back to the name.
 */
import { useLayoutEffect, useRef } from "react";
import { useShallow } from "zustand/react/shallow";
import { isErased } from "../../../shared/account";
import { useChat } from "../../state/chat";
import { PRESENCE_LABEL } from "../../state/chatSelectors";
import { closeProfileCard, knownPresence, knownUser, relationshipWith, useProfileCard, type Relationship } from "../../state/profileCard";
import { navigate } from "../../state/router";
import { acceptRequest, cancelRequest, declineRequest, sendFriendRequest } from "../../state/social";
import { useSpaces } from "../../state/spaces";
import { useUi } from "../../state/ui";
import { useUserCache } from "../../state/userCache";
import { Avatar, avatarColor } from "./Avatar";
import { BidiText } from "./BidiText";
import { Button } from "./Button";
import { UserPlusIcon } from "./chatIcons";
import { cn } from "./cn";
import { focusables, trapTab } from "./focus";
import { ChatIcon, CheckIcon, CloseIcon, PencilIcon } from "./icons";
import { PresenceDot } from "./PresenceAvatar";
import { useAction } from "./useAction";
import { useMediaQuery } from "./useMediaQuery";

const GAP = 8;

/** Beside the anchor (right, else left), its top level with the anchor's, kept on screen. */
function place(card: HTMLElement, anchor: HTMLElement | null): { left: number; top: number } {
  const w = card.offsetWidth;
  const h = card.offsetHeight;
  const r = anchor?.getBoundingClientRect() ?? new DOMRect(innerWidth / 2 - w / 2, innerHeight / 2 - h / 2, 0, 0);
  let left = r.right + GAP;
  if (left + w > innerWidth - GAP) left = r.left - w - GAP;
  left = Math.max(GAP, Math.min(left, innerWidth - w - GAP));
  const top = Math.max(GAP, Math.min(r.top, innerHeight - h - GAP));
  return { left, top };
}

export function ProfileCard() {
  const userId = useProfileCard((s) => s.userId);
  if (!userId) return null;
  return <Card key={userId} userId={userId} />;
}

function Card({ userId }: { userId: string }) {
  const opened = useProfileCard((s) => s.user);
  const anchor = useProfileCard((s) => s.anchor);
  const phone = useMediaQuery("(max-width: 39.99rem)");
  const ref = useRef<HTMLDialogElement>(null);
  const chat = useChat(
    useShallow((s) => ({ meId: s.meId, myStatus: s.myStatus, friends: s.friends, incoming: s.incoming, outgoing: s.outgoing, blocked: s.blocked, conversations: s.conversations })),
  );
  const members = useSpaces((s) => s.members);
  const cached = useUserCache((s) => s.users[userId]);
  const user = knownUser(userId, chat, { members }) ?? cached ?? opened;
  const erased = !!user && isErased(user);
  // An erased account has no presence to show.
  const presence = erased ? undefined : knownPresence(userId, chat, { members });
  const relation = relationshipWith(userId, chat);

  // Opened (and focused) before it is painted; Escape and the backdrop close it through the store.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    (focusables(dialog)[0] ?? dialog).focus();
    return () => {
      if (dialog.open) dialog.close();
      if (anchor && document.contains(anchor)) anchor.focus();
    };
  }, []);

  // Placed beside the anchor before it is painted, again on resize.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (phone) {
      dialog.style.left = dialog.style.top = "";
      return;
    }
    const update = () => {
      const { left, top } = place(dialog, anchor);
      dialog.style.left = `${left}px`;
      dialog.style.top = `${top}px`;
    };
    update();
    addEventListener("resize", update);
    return () => removeEventListener("resize", update);
  }, [phone, anchor, !!user]);

  const name = user?.displayName ?? "Unknown user";
  return (
    <dialog
      ref={ref}
      aria-label={`Profile of ${name}`}
      data-testid="profile-card"
      data-user-id={userId}
      data-layout={phone ? "sheet" : "popover"}
      onCancel={(e) => {
        e.preventDefault();
        closeProfileCard();
      }}
      onKeyDown={(e) => ref.current && trapTab(e, ref.current)}
      onMouseDown={(e) => {
        if (e.target === ref.current) closeProfileCard();
      }}
      className={cn(
        "overflow-hidden bg-white p-0 text-zinc-900 shadow-2xl outline-none ring-1 ring-zinc-900/10 dark:bg-zinc-900 dark:text-zinc-100 dark:ring-white/10",
        phone
          ? "inset-x-0 bottom-0 top-auto m-0 w-full max-w-none animate-slide-up rounded-t-2xl pb-[env(safe-area-inset-bottom)]"
          : "fixed m-0 w-[18.5rem] animate-pop rounded-xl backdrop:bg-transparent backdrop:backdrop-blur-none",
      )}
    >
      <div aria-hidden="true" className={cn("h-16", avatarColor(userId), "opacity-80 dark:opacity-60")} />
      {phone ? <span aria-hidden="true" className="absolute left-1/2 top-2 h-1 w-10 -translate-x-1/2 rounded-full bg-white/60" /> : null}
      <button
        type="button"
        onClick={closeProfileCard}
        aria-label="Close"
        className="absolute right-2 top-2 rounded-md p-1 text-white/85 hover:bg-black/15 hover:text-white"
      >
        <CloseIcon className="size-4" />
      </button>
      <div className="px-4 pb-4">
        <div className="-mt-9 flex items-end justify-between">
          <span className="relative inline-flex rounded-full ring-[5px] ring-white dark:ring-zinc-900">
            <Avatar name={name} seed={userId} src={user?.avatarUrl} size="lg" />
            {presence ? (
              <PresenceDot status={presence} className="absolute bottom-0 right-0 size-4 ring-[3px] ring-white dark:ring-zinc-900" />
            ) : null}
          </span>
        </div>
        <div className="mt-2.5 rounded-lg bg-zinc-50 p-3 dark:bg-zinc-800/60">
          <h2 className="truncate text-lg font-semibold leading-6 tracking-tight">
            <bdi dir="auto" data-testid="profile-card-name">
              <BidiText text={name} />
            </bdi>
            {relation.kind === "self" ? <span className="ml-1.5 text-sm font-normal text-zinc-500 dark:text-zinc-400">(you)</span> : null}
          </h2>
          {erased ? (
            <p data-testid="profile-card-erased" className="text-sm text-zinc-600 dark:text-zinc-300">
              This account was deleted.
            </p>
          ) : user ? (
            <p data-testid="profile-card-username" className="truncate text-sm text-zinc-600 dark:text-zinc-300">
              @{user.username}
            </p>
          ) : null}
          {presence ? (
            <p data-testid="profile-card-presence" className="mt-2 flex items-center gap-1.5 text-xs font-medium text-zinc-500 dark:text-zinc-400">
              <PresenceDot status={presence} className="size-2" />
              {PRESENCE_LABEL[presence]}
            </p>
          ) : null}
        </div>
        {/* Keyed by the relationship: its new buttons start idle. */}
        {erased ? null : <Actions key={relation.kind} userId={userId} relation={relation} name={name} />}
      </div>
    </dialog>
  );
}

function Actions({ userId, relation, name }: { userId: string; relation: Relationship; name: string }) {
  const setProfileOpen = useUi((s) => s.setProfileOpen);
  const { busy, run } = useAction();
  const go = (path: string) => {
    closeProfileCard();
    navigate(path);
  };
  const row = (children: React.ReactNode) => <div className="mt-3 flex gap-2 [&>*]:flex-1">{children}</div>;

  switch (relation.kind) {
    case "self":
      return row(
        <Button
          variant="secondary"
          size="sm"
          icon={<PencilIcon className="size-4" />}
          onClick={() => {
            closeProfileCard();
            setProfileOpen(true);
          }}
        >
          Edit profile
        </Button>,
      );
    case "friend":
      return row(
        <Button size="sm" icon={<ChatIcon className="size-4" />} onClick={() => go(`/c/${relation.conversationId}`)}>
          Message
        </Button>,
      );
    case "incoming":
      return row(
        <>
          <Button size="sm" icon={<CheckIcon className="size-4" />} loading={busy} onClick={() => void run(() => acceptRequest(relation.requestId), `You and ${name} are now friends`)}>
            Accept
          </Button>
          <Button variant="secondary" size="sm" disabled={busy} onClick={() => void run(() => declineRequest(relation.requestId))}>
            Ignore
          </Button>
        </>,
      );
    case "outgoing":
      return row(
        <>
          <Button variant="secondary" size="sm" disabled data-testid="profile-card-pending" className="cursor-default opacity-70">
            Request sent
          </Button>
          <Button variant="ghost" size="sm" disabled={busy} onClick={() => void run(() => cancelRequest(relation.requestId))}>
            Cancel request
          </Button>
        </>,
      );
    case "blocked":
      return <p className="mt-3 text-center text-sm text-zinc-500 dark:text-zinc-400">You blocked this user.</p>;
    case "none":
      return row(
        <>
          <Button size="sm" icon={<UserPlusIcon className="size-4" />} loading={busy} onClick={() => void run(() => sendFriendRequest({ userId }))}>
            Add friend
          </Button>
          {relation.dm ? (
            <Button variant="secondary" size="sm" icon={<ChatIcon className="size-4" />} onClick={() => go(`/c/${relation.dm!.id}`)}>
              Messages
            </Button>
          ) : null}
        </>,
      );
  }
}
