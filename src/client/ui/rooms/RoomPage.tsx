/**
 * `/r/<slug>` for a signed-in user: the pre-join screen, then the room's call (the call view
 * covers the page); afterwards "You left the meeting" with Rejoin. An unknown link says so.
 */
import { useEffect, useRef, useState } from "react";
import type { RoomPreview } from "../../../shared/calls";
import { callBusy, useCall } from "../../state/call";
import { joinCall } from "../../state/groupCall";
import { joinWithPreview, usePreJoin } from "../../state/preJoin";
import { navigate } from "../../state/router";
import { loadPreview, useRooms } from "../../state/rooms";
import { useSession } from "../../state/session";
import { Alert } from "../common/Alert";
import { Avatar } from "../common/Avatar";
import { Button } from "../common/Button";
import { Spinner } from "../common/icons";
import { CallIcon } from "../call/callIcons";
import { PreJoin } from "./PreJoin";

export function RoomPage({ slug }: { slug: string }) {
  const preview = useRooms((s) => s.previews[slug]);
  useEffect(() => void loadPreview(slug), [slug]);

  if (!preview || preview.status === "loading") {
    return (
      <div role="status" className="flex flex-1 items-center justify-center py-24 text-zinc-400">
        <Spinner className="size-5" />
        <span className="sr-only">Loading the meeting</span>
      </div>
    );
  }
  if (preview.status === "missing") return <InvalidMeeting />;
  if (preview.status === "error") {
    return (
      <div className="mx-auto flex max-w-md flex-col items-center gap-4 px-6 py-24 text-center">
        <Alert>{preview.message}</Alert>
        <Button variant="secondary" onClick={() => void loadPreview(slug)}>
          Try again
        </Button>
      </div>
    );
  }
  return <Meeting key={slug} slug={slug} room={preview.room} />;
}

/** The pre-join screen, the call, and after it the way back in (through the lobby for someone removed). */
function Meeting({ slug, room }: { slug: string; room: RoomPreview }) {
  const here = useCall((s) => s.conversationId === room.conversationId && s.phase === "active");
  const [left, setLeft] = useState<"left" | "removed" | null>(null);
  const was = useRef(here);
  useEffect(() => {
    if (was.current && !here) {
      setLeft(useCall.getState().ended?.reason === "removed" ? "removed" : "left");
      // The call may have ended because the room was deleted: the page then says so.
      void loadPreview(slug);
    }
    was.current = here;
  }, [here, slug]);

  if (here) return <Notice title="You're in this meeting" body={room.name} />;
  if (left) {
    const removed = left === "removed";
    return (
      <Notice title={removed ? "The host removed you from this meeting" : "You left the meeting"} body={room.name} testId={`meeting-${left}`}>
        <Button onClick={() => setLeft(null)}>{removed ? "Ask to join again" : "Rejoin"}</Button>
        <Button variant="secondary" onClick={() => navigate("/")}>
          Return to home
        </Button>
      </Notice>
    );
  }
  return <SignedInPreJoin room={room} />;
}

function SignedInPreJoin({ room }: { room: RoomPreview }) {
  const user = useSession((s) => s.user);
  const joining = usePreJoin((s) => s.joining);
  const busy = useCall((s) => callBusy(s));
  if (!user) return null;
  const join = () => void joinWithPreview((media, local) => joinCall(room.conversationId, media, local));
  return (
    <PreJoin room={room} selfName={user.displayName} selfSeed={user.id} selfAvatar={user.avatarUrl}>
      <div className="flex items-center gap-2.5 text-sm text-zinc-600 dark:text-zinc-300">
        <Avatar name={user.displayName} seed={user.id} src={user.avatarUrl} size="sm" />
        <span>
          Joining as <bdi data-testid="prejoin-self-name" className="font-semibold text-zinc-900 dark:text-white">{user.displayName}</bdi>
        </span>
      </div>
      <Button size="lg" className="min-w-40 rounded-full" loading={joining} disabled={busy} onClick={join} icon={<CallIcon className="size-5" />}>
        Join now
      </Button>
      {busy && !joining ? <p className="text-sm text-zinc-500 dark:text-zinc-400">Leave your current call to join this one.</p> : null}
    </PreJoin>
  );
}

function Notice({ title, body, testId, children }: { title: string; body: string; testId?: string; children?: React.ReactNode }) {
  return (
    <div data-testid={testId} className="mx-auto flex max-w-md flex-col items-center px-6 py-24 text-center">
      <span className="flex size-14 items-center justify-center rounded-full bg-brand-50 text-brand-600 dark:bg-brand-500/10 dark:text-brand-400">
        <CallIcon className="size-6" />
      </span>
      <h2 className="mt-5 text-xl font-semibold tracking-tight">{title}</h2>
      <p className="mt-1.5 text-sm text-zinc-500 dark:text-zinc-400">
        <bdi>{body}</bdi>
      </p>
      {children ? <div className="mt-6 flex flex-wrap justify-center gap-2">{children}</div> : null}
    </div>
  );
}

export function InvalidMeeting() {
  return (
    <div data-testid="meeting-invalid" className="mx-auto flex max-w-md flex-col items-center px-6 py-24 text-center">
      <span className="flex size-14 items-center justify-center rounded-full bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400">
        <CallIcon className="size-6" />
      </span>
      <h2 className="mt-5 text-xl font-semibold tracking-tight">This meeting link is invalid or was deleted</h2>
      <p className="mt-1.5 text-sm text-zinc-500 dark:text-zinc-400">Check the link you were given, or ask the host for a new one.</p>
      <Button className="mt-6" variant="secondary" onClick={() => navigate("/")}>
        Back to home
      </Button>
    </div>
  );
}
