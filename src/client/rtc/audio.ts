/**
 * The page's one AudioContext (the new-message chime, the call's speaking meter). Making one is
 * a synchronous round trip to the browser's audio service that holds the main thread — tens of
 * milliseconds on a quiet machine, seconds on a loaded one — so it is made once, and not in the
 * middle of a gesture: the first click is often "Join", whose request should leave first.
 */

let shared: AudioContext | null = null;

/** The shared context, made on first use (null where WebAudio is missing or refused). */
export function sharedAudio(): AudioContext | null {
  if (shared) return shared;
  const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return null;
  try {
    shared = new Ctor();
  } catch {
    return null;
  }
  return shared;
}

// Browsers start audio suspended until a gesture: wake it on the first one. From a timer set in
// the gesture (it still counts as one: WebKit forwards a gesture to timers of up to 1 s), so
// the gesture's own handlers run before the context is made.
if (typeof window !== "undefined") {
  const unlock = () => {
    window.removeEventListener("pointerdown", unlock);
    window.removeEventListener("keydown", unlock);
    setTimeout(() => {
      const ctx = sharedAudio();
      if (ctx?.state === "suspended") void ctx.resume().catch(() => {});
    }, 0);
  };
  window.addEventListener("pointerdown", unlock);
  window.addEventListener("keydown", unlock);
}
