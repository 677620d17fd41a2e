/**
 * The signed-in layout: a sidebar on wide screens; a top bar with a navigation drawer
 * on narrow ones. Dialogs that any page can open live here.
 */
import type { ReactNode } from "react";
import { useUi } from "../../state/ui";
import { BrandLogo } from "../common/BrandMark";
import { useChat } from "../../state/chat";
import { otherMember, presenceOf } from "../../state/chatSelectors";
import { useRouter } from "../../state/router";
import { cn } from "../common/cn";
import { PresenceDot } from "../common/PresenceAvatar";
import { ReconnectBanner } from "./ReconnectBanner";
import { FailedSignInsNotice } from "./FailedSignInsNotice";
import { VerifyEmailBanner } from "./VerifyEmailBanner";
import { conversationIdOf, usePageTitle } from "./usePageTitle";
import { Dialog } from "../common/Dialog";
import { MenuIcon } from "../common/icons";
import { Link } from "../common/Link";
import { useMediaQuery } from "../common/useMediaQuery";
import { EditProfileDialog } from "../settings/EditProfileDialog";
import { CallButtons, CallLayer } from "../call/CallLayer";
import { ReportMessageDialog } from "../chat/ReportMessage";
import { GroupActions } from "../chat/GroupActions";
import { NotifyLevelMenu } from "../chat/NotifyMenu";
import { NewGroupDialog } from "../chat/GroupDialogs";
import { NewMeetingDialog } from "../rooms/NewMeetingDialog";
import { DesktopNav, DrawerNav } from "../spaces/ShellNav";
import { SpaceDialogs } from "../spaces/SpaceDialogs";
import { UserMenu } from "./UserMenu";
import { SearchDialog } from "../search/SearchDialog";
import { ProfileCard } from "../common/ProfileCard";
import { ProfileTrigger } from "../common/ProfileTrigger";

/** `fill`: the page manages its own scrolling (a conversation), so the shell is exactly one screen tall. */
export function Shell({ children, fill = false }: { children: ReactNode; fill?: boolean }) {
  const drawerOpen = useUi((s) => s.drawerOpen);
  const setDrawerOpen = useUi((s) => s.setDrawerOpen);
  // Render one layout, not both with one hidden, so each control exists once in the DOM.
  const wide = useMediaQuery("(min-width: 48rem)");

  return (
    <div className={cn("flex bg-white text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100 md:h-dvh", fill ? "h-dvh" : "min-h-dvh")}>
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white focus:not-sr-only focus:fixed focus:left-3 focus:top-3"
      >
        Skip to content
      </a>

      {wide ? <DesktopNav footer={<UserMenu placement="top" />} /> : null}

      <div className="flex min-w-0 flex-1 flex-col">
        {wide ? null : <MobileTopBar />}
        <ReconnectBanner />
        <FailedSignInsNotice />
        <VerifyEmailBanner />

        <main id="main" tabIndex={-1} className={cn("min-h-0 flex-1 focus:outline-none", fill ? "flex flex-col overflow-hidden" : "overflow-y-auto")}>
          {children}
        </main>
      </div>

      <Dialog open={drawerOpen && !wide} onClose={() => setDrawerOpen(false)} title="Navigation" variant="drawer" hideTitle className="rounded-none bg-zinc-50 dark:bg-zinc-900">
        <DrawerNav />
      </Dialog>
      <EditProfileDialog />
      <CallLayer />
      {/* After the call layer: reports come from its chat too, and a later modal is drawn above. */}
      <ReportMessageDialog />
      <SpaceDialogs />
      <NewGroupDialog />
      <NewMeetingDialog />
      <SearchDialog />
      <ProfileCard />
    </div>
  );
}

/** Narrow screens: menu button (opens the drawer), page title, user menu. */
function MobileTopBar() {
  const title = usePageTitle();
  const path = useRouter((s) => s.path);
  const id = conversationIdOf(path);
  const level = useChat((s) => (id ? s.conversations[id]?.notifyLevel : undefined));
  // A DM's presence, and with it the DM's actions; none for a deleted account, which nothing reaches.
  const presence = useChat((s) => {
    const c = id ? s.conversations[id] : undefined;
    return c?.kind === "dm" && c.readOnly !== "deleted" ? presenceOf(s, otherMember(c, s.meId)?.id) : null;
  });
  const group = useChat((s) => (id && s.conversations[id]?.kind === "group" ? s.conversations[id] : null));
  const dmWith = useChat((s) => {
    const c = id ? s.conversations[id] : undefined;
    return c?.kind === "dm" ? otherMember(c, s.meId) : undefined;
  });
  const drawerOpen = useUi((s) => s.drawerOpen);
  const setDrawerOpen = useUi((s) => s.setDrawerOpen);
  return (
    <header className="sticky top-0 z-30 flex h-14 shrink-0 items-center gap-2 border-b border-zinc-200/80 bg-white/85 px-2 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/85">
      <button
        type="button"
        onClick={() => setDrawerOpen(true)}
        aria-label="Open navigation"
        aria-expanded={drawerOpen}
        className="rounded-lg p-2 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
      >
        <MenuIcon />
      </button>
      <Link href="/" aria-label="Parley home" className="rounded-md">
        <BrandLogo className="size-7" />
      </Link>
      {presence ? <PresenceDot status={presence} className="ml-1" /> : null}
      <h1 className="ml-1 truncate text-[0.9375rem] font-semibold tracking-tight" data-testid={id ? "conversation-title" : undefined}>
        {dmWith ? (
          <ProfileTrigger user={dmWith} className="max-w-full truncate" testId="conversation-title-button">
            <bdi>{title}</bdi>
          </ProfileTrigger>
        ) : (
          title
        )}
      </h1>
      <div className="ml-auto flex items-center gap-1">
        {id && presence ? <CallButtons conversationId={id} /> : null}
        {id && presence && level ? <NotifyLevelMenu conversationId={id} level={level} /> : null}
        {group ? <GroupActions conversation={group} compact /> : null}
        <UserMenu placement="bottom" compact />
      </div>
    </header>
  );
}
