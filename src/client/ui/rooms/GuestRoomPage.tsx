/**
 * /r/:slug for a visitor who is not signed in: the same pre-join screen as members get (live
 * preview, microphone and camera, devices), with a name to join as a guest when the host allows
 * guests, or a way to sign in. Once in, the call screens take over (the lobby while a host
 * decides); a guest the host removed is told so and may ask to come back (through the lobby).
 */
import { useEffect, useState } from "react";
import type { RoomPreview } from "../../../shared/calls";
import { useCall } from "../../state/call";
import { useGuest } from "../../state/guestSession";
import { loadPreview, useRooms } from "../../state/rooms";
import { Alert } from "../common/Alert";
import { BrandMark } from "../common/BrandMark";
import { Spinner } from "../common/icons";
import { Link } from "../common/Link";
import { ThemeToggle } from "../common/ThemeToggle";
import { CallLayer } from "../call/CallLayer";
import { GuestJoin } from "../call/GuestJoin";
import { PreJoin } from "./PreJoin";
import { InvalidMeeting } from "./RoomPage";

/** How often a visitor's pre-join reads the link again (they have no socket to hear of changes). */
const REFRESH_MS = 5000;

export function GuestRoomPage({ slug }: { slug: string }) {
  const preview = useRooms((s) => s.previews[slug]);
  useEffect(() => void loadPreview(slug), [slug]);
  const inCall = useCall((s) => s.phase === "active" || s.lobby !== null);
  // The host allowing guests (or people coming and going) shows without a reload.
  useEffect(() => {
    if (inCall) return;
    const timer = setInterval(() => void loadPreview(slug, true), REFRESH_MS);
    return () => clearInterval(timer);
  }, [slug, inCall]);
  const next = `/login?next=${encodeURIComponent(`/r/${slug}`)}`;

  if (inCall) return <CallLayer />;
  return (
    <div className="flex min-h-dvh flex-col bg-zinc-50 text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100">
      <header className="flex h-14 shrink-0 items-center justify-between gap-3 border-b border-zinc-200 px-4 sm:px-6 dark:border-white/10">
        <BrandMark />
        <div className="flex items-center gap-3 text-sm">
          <Link href={next}>Sign in</Link>
          <ThemeToggle />
        </div>
      </header>
      <main className="flex flex-1 flex-col">
        {!preview || preview.status === "loading" ? (
          <div role="status" className="flex flex-1 items-center justify-center py-24 text-zinc-400">
            <Spinner className="size-5" />
            <span className="sr-only">Loading the meeting</span>
          </div>
        ) : preview.status === "missing" ? (
          <InvalidMeeting />
        ) : preview.status === "error" ? (
          <div className="mx-auto max-w-md px-6 py-24">
            <Alert>{preview.message}</Alert>
          </div>
        ) : (
          <GuestPreJoin slug={slug} room={preview.room} signIn={next} />
        )}
      </main>
      <CallLayer />
    </div>
  );
}

function GuestPreJoin({ slug, room, signIn }: { slug: string; room: RoomPreview; signIn: string }) {
  const [name, setName] = useState("");
  const ended = useGuest((s) => (s.status === "ended" ? s.error : null));
  const removed = useRemoved();
  return (
    <PreJoin room={room} selfName={name.trim() || "You"}>
      {removed ? (
        <Alert className="w-full max-w-sm">
          The host removed you from this meeting. Joining again asks the host to let you back in.
        </Alert>
      ) : null}
      {ended ? <Alert className="w-full max-w-sm">{ended}</Alert> : null}
      {room.allowGuests ? (
        <GuestJoin slug={slug} name={name} onName={setName} />
      ) : (
        <Alert tone="info" className="w-full max-w-sm">
          The host does not allow guests in this meeting. <Link href={signIn}>Sign in</Link> to join.
        </Alert>
      )}
    </PreJoin>
  );
}

/** Whether our last call ended with the host removing us (this screen mounts as it ends). */
function useRemoved(): boolean {
  const reason = useCall((s) => (s.phase === "ended" ? s.ended?.reason : null));
  const [removed, setRemoved] = useState(reason === "removed");
  useEffect(() => {
    if (reason) setRemoved(reason === "removed");
  }, [reason]);
  return removed;
}
