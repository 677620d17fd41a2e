/** A <video> playing a MediaStream, with an output device (setSinkId) where the browser allows it. */
import { useEffect, useRef, type Ref } from "react";
import { cn } from "../common/cn";

const FITS = { cover: "object-cover", contain: "object-contain", adaptive: "object-cover sm:object-contain" } as const;

type SinkVideo = HTMLVideoElement & { setSinkId?: (id: string) => Promise<void> };

export function StreamVideo({
  stream,
  muted = false,
  mirror = false,
  fit = "cover",
  sinkId,
  testId,
  videoRef,
  onAutoplayBlocked,
  className,
}: {
  stream: MediaStream | null;
  muted?: boolean;
  mirror?: boolean;
  /** "adaptive": fill a phone screen (cropping), show the whole picture on wider ones. */
  fit?: "cover" | "contain" | "adaptive";
  sinkId?: string | null;
  testId?: string;
  videoRef?: Ref<HTMLVideoElement>;
  /** Sound was refused without a user gesture (e.g. after a reload): the video plays muted meanwhile. */
  onAutoplayBlocked?: () => void;
  className?: string;
}) {
  const own = useRef<SinkVideo | null>(null);
  const blocked = useRef(onAutoplayBlocked);
  blocked.current = onAutoplayBlocked;

  useEffect(() => {
    const v = own.current;
    if (!v || v.srcObject === stream) return;
    v.srcObject = stream;
    if (!stream) return;
    v.play().catch((err: unknown) => {
      if (!(err instanceof DOMException && err.name === "NotAllowedError") || v.muted) return;
      v.muted = true;
      void v.play().catch(() => {});
      blocked.current?.();
    });
  }, [stream]);

  useEffect(() => {
    const v = own.current;
    if (v && sinkId && v.setSinkId) void v.setSinkId(sinkId).catch(() => {});
  }, [sinkId]);

  useEffect(() => {
    if (own.current) own.current.muted = muted;
  }, [muted]);

  return (
    <video
      ref={(el) => {
        own.current = el;
        if (typeof videoRef === "function") videoRef(el);
        else if (videoRef) (videoRef as { current: HTMLVideoElement | null }).current = el;
      }}
      data-testid={testId}
      autoPlay
      playsInline
      muted={muted}
      className={cn("size-full", FITS[fit], mirror && "-scale-x-100", className)}
    />
  );
}

/** m:ss, or h:mm:ss past an hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
