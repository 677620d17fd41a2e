/** The host's part of the participants panel: the room's toggles and the lobby with Admit / Deny. */
import { useEffect, useState } from "react";
import { roomAllowsGuests, setAllowGuests, setLocked } from "../../state/callHost";
import { useCall } from "../../state/call";
import { Avatar } from "../common/Avatar";
import { AdmitDeny } from "./LobbyPrompt";

function Toggle({ label, on, onChange, busy }: { label: string; on: boolean; onChange: (on: boolean) => void; busy?: boolean }) {
  return (
    <label className="flex cursor-pointer items-center justify-between gap-3 px-2 py-1.5 text-sm">
      <span>{label}</span>
      <input type="checkbox" role="switch" className="peer sr-only" checked={on} disabled={busy} onChange={(e) => onChange(e.target.checked)} />
      <span
        aria-hidden
        className="relative h-5 w-9 shrink-0 rounded-full bg-zinc-600 transition peer-checked:bg-brand-500 peer-focus-visible:ring-2 peer-focus-visible:ring-brand-400 after:absolute after:left-0.5 after:top-0.5 after:size-4 after:rounded-full after:bg-white after:transition peer-checked:after:translate-x-4"
      />
    </label>
  );
}

/** "Allow guests" reads the room's setting when shown; the server keeps the truth. */
function GuestsToggle({ roomId }: { roomId: string }) {
  const [on, setOn] = useState(false);
  const [busy, setBusy] = useState(true);
  useEffect(() => {
    let live = true;
    void roomAllowsGuests(roomId).then((v) => {
      if (!live) return;
      if (v !== null) setOn(v);
      setBusy(false);
    });
    return () => void (live = false);
  }, [roomId]);
  const change = async (next: boolean) => {
    setBusy(true);
    if (await setAllowGuests(roomId, next)) setOn(next);
    setBusy(false);
  };
  return <Toggle label="Allow guests" on={on} busy={busy} onChange={(v) => void change(v)} />;
}

export function HostPanel() {
  const host = useCall((s) => s.host);
  if (!host) return null;
  return (
    <section aria-label="Host controls" className="border-b border-white/10 p-2">
      <Toggle label="Lock meeting" on={host.locked} onChange={(v) => void setLocked(v)} />
      {host.roomId ? <GuestsToggle roomId={host.roomId} /> : null}
      {host.waiting.length > 0 ? (
        <div aria-label="Waiting to join" role="group" className="mt-2">
          <h3 className="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-amber-300">Waiting to join ({host.waiting.length})</h3>
          <ul className="space-y-0.5">
            {host.waiting.map((w) => (
              <li key={w.id} data-testid="lobby-row" data-waiter={w.id} className="flex items-center gap-2 rounded-lg px-2 py-1.5 hover:bg-white/5">
                <Avatar name={w.name} seed={w.id} size="sm" />
                <span className="min-w-0 flex-1 truncate text-sm">{w.name}</span>
                <AdmitDeny waiter={w} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
