/** Top-level routing: auth pages when signed out, the shell when signed in. */
import { useEffect } from "react";
import { navigate, safeNext, useRouter } from "../state/router";
import { useSession } from "../state/session";
import { LoginPage } from "./auth/LoginPage";
import { RegisterPage } from "./auth/RegisterPage";
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from "./auth/AccountLinkPages";
import { OutboxPage } from "./settings/OutboxPage";
import { AdminPage } from "./admin/AdminPage";
import { EmailPage } from "./settings/EmailPage";
import { BrandLogo } from "./common/BrandMark";
import { Button } from "./common/Button";
import { Spinner } from "./common/icons";
import { Toaster } from "./common/Toaster";
import { SessionsPage } from "./settings/SessionsPage";
import { SecurityPage } from "./settings/SecurityPage";
import { AccountPage } from "./settings/AccountPage";
import { DeletionScheduledPage } from "./settings/DeletionScheduledPage";
import { HomePage } from "./shell/HomePage";
import { NotFoundPage } from "./shell/NotFoundPage";
import { Shell } from "./shell/Shell";
import { conversationIdOf, useDocumentTitle } from "./shell/usePageTitle";
import { ConversationPage } from "./chat/ConversationPage";
import { MessagesPage } from "./chat/MessagesPage";
import { FriendsPage } from "./friends/FriendsPage";
import { InvitePage } from "./spaces/InvitePage";
import { GuestRoomPage } from "./rooms/GuestRoomPage";
import { SpacePage } from "./spaces/SpacePage";
import { SpacesPage } from "./spaces/SpacesPage";
import { SpaceSettingsPage } from "./spaces/settings/SpaceSettingsPage";
import { inviteCodeOf, spaceRouteOf } from "./spaces/spaceRoutes";
import { roomSlugOf } from "../state/rooms";
import { MeetingsPage } from "./rooms/MeetingsPage";
import { RoomPage } from "./rooms/RoomPage";

/** A space route whose page scrolls itself (a channel), unlike the settings page. */
const isChannelRoute = (path: string) => {
  const r = spaceRouteOf(path);
  return r !== null && !r.settings;
};

const AUTH_PATHS = new Set(["/login", "/register"]);
/** Pages that mailed links open (and the reset request): the same signed in or out, outside the shell. */
const ACCOUNT_PAGES: Record<string, () => React.ReactNode> = {
  "/verify-email": () => <VerifyEmailPage />,
  "/forgot-password": () => <ForgotPasswordPage />,
  "/reset-password": () => <ResetPasswordPage />,
};


export function App() {
  const status = useSession((s) => s.status);
  const user = useSession((s) => s.user);
  const { path, search } = useRouter();
  const isAuthPath = AUTH_PATHS.has(path);
  // An invite's landing page works for visitors and members alike.
  const inviteCode = inviteCodeOf(path);
  // A room's link works for visitors too: they may join as guests.
  const guestRoom = status === "signedOut" ? roomSlugOf(path) : null;
  const accountPage = ACCOUNT_PAGES[path];

  // Redirects between the signed-out and signed-in halves of the app.
  useEffect(() => {
    if (accountPage) return;
    if (status === "signedOut" && !isAuthPath && !inviteCode && !guestRoom) {
      navigate(path === "/" ? "/login" : `/login?next=${encodeURIComponent(path + search)}`, { replace: true });
    } else if (status === "signedIn" && isAuthPath) {
      navigate(safeNext(new URLSearchParams(search).get("next")), { replace: true });
    }
  }, [status, path, search, isAuthPath, inviteCode, guestRoom, accountPage]);

  useDocumentTitle(status === "signedIn");

  let content;
  if (status === "loading") content = <Splash />;
  else if (accountPage) content = accountPage();
  else if (inviteCode) content = <InvitePage code={inviteCode} />;
  else if (guestRoom) content = <GuestRoomPage slug={guestRoom} />;
  else if (status === "signedOut") content = path === "/register" ? <RegisterPage /> : isAuthPath ? <LoginPage /> : <Splash />;
  else if (isAuthPath) content = <Splash />;
  // Signing in during the grace period: keep the account or let the deletion go ahead, before anything else.
  else if (user?.deletionScheduledFor) content = <DeletionScheduledPage user={{ ...user, deletionScheduledFor: user.deletionScheduledFor }} />;
  else content = <Shell fill={conversationIdOf(path) !== null || isChannelRoute(path)}>{route(path)}</Shell>;

  return (
    <>
      {content}
      <Toaster />
    </>
  );
}

function route(path: string) {
  const conversationId = conversationIdOf(path);
  if (conversationId) return <ConversationPage conversationId={conversationId} />;
  const slug = roomSlugOf(path);
  if (slug) return <RoomPage key={slug} slug={slug} />;
  const space = spaceRouteOf(path);
  if (space?.settings) return <SpaceSettingsPage key={space.spaceId} spaceId={space.spaceId} />;
  if (space) return <SpacePage key={space.spaceId} spaceId={space.spaceId} channelId={space.channelId} />;
  switch (path) {
    case "/":
      return <HomePage />;
    case "/friends":
      return <FriendsPage />;
    case "/messages":
      return <MessagesPage />;
    case "/spaces":
      return <SpacesPage />;
    case "/meetings":
      return <MeetingsPage />;
    case "/settings/sessions":
      return <SessionsPage />;
    case "/settings/email":
      return <EmailPage />;
    case "/admin":
      return <AdminPage />;
    case "/admin/outbox":
      return <OutboxPage />;
    case "/settings/security":
      return <SecurityPage />;
    case "/settings/account":
      return <AccountPage />;
    default:
      return <NotFoundPage />;
  }
}

function Splash() {
  const bootError = useSession((s) => s.bootError);
  const bootstrap = useSession((s) => s.bootstrap);
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center gap-5 bg-zinc-50 px-6 text-center dark:bg-zinc-950">
      <BrandLogo className="size-12" />
      {bootError ? (
        <div role="alert" className="flex flex-col items-center gap-3">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">{bootError}</p>
          <Button variant="secondary" onClick={() => void bootstrap()}>
            Try again
          </Button>
        </div>
      ) : (
        <div role="status" className="text-zinc-400">
          <Spinner className="size-5" />
          <span className="sr-only">Loading Parley</span>
        </div>
      )}
    </div>
  );
}
