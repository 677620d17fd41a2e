/**
 * Observing new-message alerts in Chromium: `instrument` runs before the app (as an init script)
 * and gives a switchable document.hidden plus recorders around the Notification constructor
 * and OscillatorNode.start, which only note what the app does. The notifications made are kept,
 * so a test can click one (`clickNotification`: the click event the browser fires on one).
 */
import type { Page } from "playwright-core";

export function instrument() {
  const w = window as unknown as { __hidden: boolean; __notes: unknown[]; __made: Notification[]; __tones: number[] };
  w.__hidden = false;
  w.__notes = [];
  w.__made = [];
  w.__tones = [];
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => w.__hidden });
  Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (w.__hidden ? "hidden" : "visible") });
  const Real = window.Notification;
  window.Notification = new Proxy(Real, {
    construct(target, args: [string, NotificationOptions?]) {
      w.__notes.push({ title: args[0], body: args[1]?.body, tag: args[1]?.tag });
      const made = Reflect.construct(target, args) as Notification;
      w.__made.push(made);
      return made;
    },
    get: (target, key) => Reflect.get(target, key),
  });
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (this: OscillatorNode, ...args: Parameters<typeof start>) {
    w.__tones.push(this.frequency.value);
    return start.apply(this, args);
  };
}

export interface Recorded {
  notes: Array<{ title: string; body: string; tag: string }>;
  tones: number[];
}

export const recorded = (page: Page): Promise<Recorded> =>
  page.evaluate(() => {
    const w = window as unknown as { __notes: Recorded["notes"]; __tones: number[] };
    return { notes: [...w.__notes], tones: [...w.__tones] };
  });

export function setHidden(page: Page, hidden: boolean): Promise<void> {
  return page.evaluate((h) => {
    (window as unknown as { __hidden: boolean }).__hidden = h;
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

/** Click the `index`th desktop notification the page made, as the user clicking it in the system tray. */
export function clickNotification(page: Page, index: number): Promise<void> {
  return page.evaluate((i) => {
    (window as unknown as { __made: Notification[] }).__made[i]!.dispatchEvent(new Event("click"));
  }, index);
}
