/**
 * "Invite people": a fresh link on open (7 days, no limit), a Copy button, and settings for
 * the next link (expiry, maximum uses) with "Generate a new link".
 */
import { useEffect, useId, useState } from "react";
import type { Invite, Space } from "../../../shared/protocol";
import { createInvite, EXPIRY_OPTIONS, MAX_USES_OPTIONS } from "../../state/spacesInvites";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Dialog } from "../common/Dialog";
import { CopyLinkField } from "../common/CopyLinkField";
import { Spinner } from "../common/icons";
import { useFormAction } from "../common/useFormAction";

const DEFAULT_EXPIRY = 3; // 7 days
const DEFAULT_USES = 0; // no limit

function describeInvite(inv: Invite): string {
  const expiry = EXPIRY_OPTIONS.find((o) => o.seconds !== null && inv.expiresAt && Math.abs(Date.parse(inv.expiresAt) - Date.parse(inv.createdAt) - o.seconds * 1000) < 60_000);
  const when = !inv.expiresAt ? "never expires" : `expires in ${expiry ? expiry.label : new Date(inv.expiresAt).toLocaleString()}`;
  const uses = inv.maxUses === null ? "" : ` and can be used ${inv.maxUses === 1 ? "once" : `${inv.maxUses} times`}`;
  return `This link ${when}${uses}.`;
}

export function InviteDialog({ space, onClose }: { space: Space; onClose(): void }) {
  const [expiry, setExpiry] = useState(DEFAULT_EXPIRY);
  const [uses, setUses] = useState(DEFAULT_USES);
  const [invite, setInvite] = useState<Invite | null>(null);
  const { busy, error, run } = useFormAction();
  const ids = { expiry: useId(), uses: useId() };

  const generate = (e = expiry, u = uses) =>
    run(async () => {
      const seconds = EXPIRY_OPTIONS[e]?.seconds ?? null;
      const maxUses = MAX_USES_OPTIONS[u]?.uses ?? null;
      setInvite(await createInvite(space.id, { ...(seconds ? { expiresInSeconds: seconds } : {}), ...(maxUses ? { maxUses } : {}) }));
    });

  useEffect(() => {
    void generate(DEFAULT_EXPIRY, DEFAULT_USES);
  }, [space.id]);

  const select =
    "block h-10 w-full rounded-lg border border-zinc-300 bg-white px-2.5 text-sm text-zinc-900 shadow-xs focus:border-brand-500 focus:outline-none focus:ring-4 focus:ring-brand-500/15 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100";

  return (
    <Dialog open onClose={onClose} title={`Invite people to ${space.name}`} description="Anyone with the link can join. Share it with people you trust.">
      <div className="flex flex-col gap-4" data-testid="invite-dialog">
        {error ? <Alert>{error}</Alert> : null}
        <div className="flex flex-col gap-1.5">
          <CopyLinkField label="Invite link" url={invite?.url ?? ""} placeholder={busy ? "Making a link…" : ""} disabled={!invite || busy} testId="invite-link" />
          <p className="text-[0.8125rem] text-zinc-500 dark:text-zinc-400" aria-live="polite" data-testid="invite-summary">
            {busy ? (
              <span className="inline-flex items-center gap-1.5">
                <Spinner className="size-3.5" /> Making a new link…
              </span>
            ) : invite ? (
              describeInvite(invite)
            ) : null}
          </p>
        </div>
        <fieldset className="rounded-xl bg-zinc-50 p-3 ring-1 ring-inset ring-zinc-200/70 dark:bg-zinc-800/40 dark:ring-zinc-700/50">
          <legend className="sr-only">Link settings</legend>
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <label htmlFor={ids.expiry} className="text-sm font-medium text-zinc-700 dark:text-zinc-300">
                Expire after
              </label>
              <select id={ids.expiry} value={expiry} onChange={(e) => setExpiry(Number(e.target.value))} className={select}>
                {EXPIRY_OPTIONS.map((o, i) => (
                  <option key={o.label} value={i}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="flex flex-col gap-1.5">
              <label htmlFor={ids.uses} className="text-sm font-medium text-zinc-700 dark:text-zinc-300">
                Max number of uses
              </label>
              <select id={ids.uses} value={uses} onChange={(e) => setUses(Number(e.target.value))} className={select}>
                {MAX_USES_OPTIONS.map((o, i) => (
                  <option key={o.label} value={i}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <Button variant="secondary" size="sm" className="mt-3" loading={busy} onClick={() => void generate()}>
            Generate a new link
          </Button>
        </fieldset>
        <div className="flex justify-end">
          <Button variant="ghost" onClick={onClose}>
            Done
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
