/** Camera, microphone and speaker choice (in a call, and on the pre-join screen). Picking the current device re-opens it. */
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { currentCall, useCall } from "../../state/call";
import type { DeviceOption, InputKind } from "../../rtc/local-media";
import type { DeviceState } from "../../rtc/types";
import { cn } from "../common/cn";
import { CheckIcon, SpeakerIcon } from "../common/icons";
import { MicIcon, SettingsIcon, VideoIcon } from "./callIcons";
import { RoundButton } from "./RoundButton";

export type DevicePick = InputKind | "speaker";

/** The current call's devices. */
export function DevicesMenu() {
  const devices = useCall((s) => s.devices);
  const onPick = (kind: DevicePick, id: string) => {
    const local = currentCall()?.local;
    if (kind === "speaker") local?.setSpeaker(id);
    else void local?.switchDevice(kind, id);
  };
  return <DeviceMenu devices={devices} onPick={onPick} />;
}

export function DeviceMenu({ devices, onPick }: { devices: DeviceState | null; onPick(kind: DevicePick, deviceId: string): void }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLElement>('[role="menuitemradio"]')?.focus();
    const outside = (e: PointerEvent) => !root.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") return close();
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const items = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitemradio"]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
  };

  const pick = (kind: DevicePick) => (id: string) => () => {
    onPick(kind, id);
    close();
  };

  return (
    <div ref={root} className="relative" onKeyDown={onKeyDown}>
      <RoundButton ref={button} label="Devices" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)} disabled={!devices}>
        <SettingsIcon className="size-5" />
      </RoundButton>
      {open && devices ? (
        <div
          role="menu"
          aria-label="Devices"
          className="fixed inset-x-2 bottom-20 z-30 max-h-[60dvh] animate-pop overflow-y-auto rounded-2xl bg-zinc-900 p-2 text-sm text-white shadow-2xl ring-1 ring-white/10 sm:absolute sm:inset-x-auto sm:bottom-full sm:left-1/2 sm:mb-3 sm:w-80 sm:-translate-x-1/2"
        >
          <Group title="Camera" icon={<VideoIcon className="size-4" />} options={devices.cameras} current={devices.camera} onPick={pick("videoinput")} />
          <Group title="Microphone" icon={<MicIcon className="size-4" />} options={devices.microphones} current={devices.microphone} onPick={pick("audioinput")} />
          {devices.canChooseSpeaker && devices.speakers.length > 0 ? (
            <Group title="Speaker" icon={<SpeakerIcon className="size-4" />} options={devices.speakers} current={devices.speaker ?? "default"} onPick={pick("speaker")} />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function Group({ title, icon, options, current, onPick }: { title: string; icon: React.ReactNode; options: DeviceOption[]; current: string | null; onPick: (id: string) => () => void }) {
  return (
    <div role="group" aria-label={title} className="py-1">
      <p className="flex items-center gap-2 px-2.5 pb-1 pt-1.5 text-xs font-semibold uppercase tracking-wide text-zinc-400">
        {icon}
        {title}
      </p>
      {options.length === 0 ? <p className="px-2.5 py-1.5 text-zinc-500">None found</p> : null}
      {options.map((o) => {
        const checked = o.deviceId === current;
        return (
          <button
            key={o.deviceId}
            type="button"
            role="menuitemradio"
            aria-checked={checked}
            onClick={onPick(o.deviceId)}
            className={cn("flex w-full items-center gap-2 rounded-lg px-2.5 py-2 text-left hover:bg-white/10 focus-visible:bg-white/10 focus-visible:outline-none", checked && "text-brand-300")}
          >
            <span className="min-w-0 flex-1 truncate">{o.label}</span>
            {checked ? <CheckIcon className="size-4 shrink-0" /> : null}
          </button>
        );
      })}
    </div>
  );
}
