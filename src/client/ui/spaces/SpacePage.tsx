/**
 * /s/:spaceId[/:channelId]: picks the channel (the one asked for, else the last opened, else
 * the first text channel) and shows it; says so when the space or channel is not there.
 */
import { useEffect } from "react";
import { navigate } from "../../state/router";
import { firstTextChannel, spaceById, useSpaces } from "../../state/spaces";
import { loadMembers } from "../../state/spacesActions";
import { ChatIcon, SpeakerIcon, Spinner, SpacesIcon } from "../common/icons";
import { Link } from "../common/Link";
import { EmptyState } from "../shell/SectionPage";
import { ChannelPage } from "./ChannelPage";
import { channelPath } from "./spaceRoutes";

function Loading({ what }: { what: string }) {
  return (
    <div role="status" className="flex h-full items-center justify-center text-zinc-400">
      <Spinner className="size-5" />
      <span className="sr-only">Loading {what}</span>
    </div>
  );
}

export function SpacePage({ spaceId, channelId }: { spaceId: string; channelId: string | null }) {
  const loaded = useSpaces((s) => s.loaded);
  const space = useSpaces((s) => spaceById(s, spaceId));
  const remembered = useSpaces((s) => s.lastChannel[spaceId]);
  const membersLoaded = useSpaces((s) => !!s.members[spaceId]);
  const channel = space?.channels.find((c) => c.id === channelId);

  // Members are fetched when the space opens (each hello refreshes the lists held).
  useEffect(() => {
    if (space && !membersLoaded) loadMembers(space.id).catch(() => {});
  }, [space?.id, membersLoaded]);

  // No channel (or one that is gone): go to the last one opened here, else the first text channel.
  useEffect(() => {
    if (!space || channel) return;
    const target = space.channels.find((c) => c.id === remembered && c.kind === "text") ?? firstTextChannel(space);
    if (target) navigate(channelPath(space.id, target.id), { replace: true });
  }, [space, channel, remembered]);

  if (!loaded) return <Loading what="space" />;
  if (!space) {
    return (
      <EmptyState icon={<SpacesIcon className="size-7" />} title="Space not found" testId="space-missing">
        You're not a member of this space, or it no longer exists.{" "}
        <Link href="/" className="font-medium text-brand-600 hover:underline dark:text-brand-400">
          Go home
        </Link>
      </EmptyState>
    );
  }
  if (!channel) {
    if (firstTextChannel(space)) return <Loading what="channel" />;
    return (
      <EmptyState icon={<ChatIcon className="size-7" />} title="No text channels yet" testId="no-channels">
        This space has no text channels. Someone who manages channels can create one.
      </EmptyState>
    );
  }
  if (channel.kind === "voice") {
    return (
      <EmptyState icon={<SpeakerIcon className="size-7" />} title={channel.name} testId="voice-channel">
        Voice channels are coming soon. For now, chat in a text channel or call a friend from your direct messages.
      </EmptyState>
    );
  }
  return <ChannelPage key={channel.id} space={space} channel={channel} />;
}
