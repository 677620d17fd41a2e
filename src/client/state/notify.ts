/**
 * New-message alerts: a short two-note chime made with WebAudio (no sound files), and a desktop
 * notification when the user has allowed them. Permission is asked only from a button.
 */
import { create } from "zustand";
import { sharedAudio } from "../rtc/audio";

type Permission = NotificationPermission | "unsupported";

const supported = () => typeof window !== "undefined" && "Notification" in window;

export const useNotifyPermission = create<{ permission: Permission }>()(() => ({
  permission: supported() ? Notification.permission : "unsupported",
}));

/** Ask for desktop notifications. Call only from a user's click. */
export async function requestNotifications(): Promise<Permission> {
  if (!supported()) return "unsupported";
  const permission = await Notification.requestPermission();
  useNotifyPermission.setState({ permission });
  return permission;
}

let lastChime = 0;

/** Two soft sine notes, about a quarter of a second; at most one every 700 ms. */
export function playChime(): void {
  const now = Date.now();
  if (now - lastChime < 700) return;
  lastChime = now;
  const ctx = sharedAudio();
  if (!ctx || ctx.state !== "running") return;
  const t0 = ctx.currentTime;
  [
    [880, 0],
    [1318.5, 0.09],
  ].forEach(([freq, at]) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq!;
    const t = t0 + at!;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.12, t + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + 0.25);
  });
}

/** A desktop notification, if allowed; clicking it focuses the tab and runs `onClick`. */
export function showDesktopNotification(title: string, body: string, tag: string, onClick: () => void): void {
  if (!supported() || Notification.permission !== "granted") return;
  try {
    const n = new Notification(title, { body: body.length > 200 ? `${body.slice(0, 199)}…` : body, tag });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  } catch {
    // Some mobile browsers only allow notifications from a service worker.
  }
}
