/** The video tiles of a call: another participant's camera (or avatar) and the self view. */
import type { Ref } from "react";
import type { PublicUser } from "../../../shared/protocol";
import type { ParticipantView } from "../../rtc/participant";
import type { CallQuality } from "../../rtc/quality";
import { useCall } from "../../state/call";
import { Avatar } from "../common/Avatar";
import { cn } from "../common/cn";
import { MicOffIcon } from "./callIcons";
import { QualityIndicator } from "./QualityIndicator";
import { StreamVideo } from "./StreamVideo";

export const hasLiveVideo = (s: MediaStream | null) => !!s?.getVideoTracks().some((t) => t.readyState === "live");

export function NameTag({ name, muted, mutedLabel }: { name: string; muted: boolean; mutedLabel: string }) {
  return (
    <span className="absolute bottom-2 left-2 flex max-w-[calc(100%-1rem)] items-center gap-1.5 rounded-md bg-black/50 px-2 py-1 text-xs font-medium backdrop-blur">
      {muted ? <MicOffIcon className="size-3.5 shrink-0 text-red-400" aria-label={mutedLabel} role="img" aria-hidden={false} /> : null}
      <span className="truncate">{name}</span>
    </span>
  );
}

export function RemoteTile({
  participant,
  user,
  compact = false,
  videoRef,
  onAutoplayBlocked,
  className,
}: {
  participant: ParticipantView;
  user: PublicUser | null;
  compact?: boolean;
  videoRef?: Ref<HTMLVideoElement>;
  onAutoplayBlocked?: () => void;
  className?: string;
}) {
  const { stream, media: remote, quality } = participant;
  const speaker = useCall((s) => s.devices?.speaker ?? null);
  const name = user?.displayName ?? "";
  const showVideo = remote.video && hasLiveVideo(stream);
  return (
    // Positioned by the caller (always absolute): cn() does not merge conflicting classes.
    <div className={cn("overflow-hidden bg-zinc-900", className)}>
      {/* Always mounted: it also plays their audio when their camera is off. */}
      <StreamVideo stream={stream} testId="remote-video" fit={compact ? "cover" : "adaptive"} sinkId={speaker} videoRef={videoRef} onAutoplayBlocked={onAutoplayBlocked} className={cn(!showVideo && "invisible")} />
      {!showVideo ? (
        <div role="img" aria-label={`${name ? `${name}'s` : "Their"} camera is off`} className="absolute inset-0 flex items-center justify-center bg-zinc-900">
          <Avatar name={name || "?"} seed={participant.id} src={user?.avatarUrl} size={compact ? "lg" : "xl"} className={cn(remote.audio && "ring-4 ring-white/10")} />
        </div>
      ) : null}
      <NameTag name={name} muted={!remote.audio} mutedLabel={`${name} is muted`} />
      <QualityIndicator link={quality?.inbound ?? null} relayed={quality?.relayed ?? false} label="Their" className="absolute left-2 top-2" />
    </div>
  );
}

export function SelfTile({ quality, className }: { quality: CallQuality | null; className?: string }) {
  const stream = useCall((s) => s.localStream);
  const local = useCall((s) => s.local);
  const showVideo = local.video && hasLiveVideo(stream);
  return (
    // The quality details pop out of the tile, so only the inner box clips. Positioned by the caller.
    <div className={className}>
      <div className="absolute inset-0 overflow-hidden rounded-xl bg-zinc-800 shadow-lg ring-1 ring-white/15">
        <StreamVideo stream={stream} muted mirror testId="local-video" className={cn(!showVideo && "invisible")} />
        {!showVideo ? <div className="absolute inset-0 flex items-center justify-center text-xs text-zinc-400">Camera off</div> : null}
        <NameTag name="You" muted={!local.audio} mutedLabel="Your microphone is off" />
      </div>
      <QualityIndicator link={quality?.outbound ?? null} relayed={quality?.relayed ?? false} label="Your" align="right" className="absolute right-1.5 top-1.5" />
    </div>
  );
}
