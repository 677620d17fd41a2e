/** Invites: every live link of the space, who made it, uses and expiry, and revoking. */
import { useEffect, useState } from "react";
import type { Invite, Space } from "../../../../shared/protocol";
import { describeError } from "../../../api";
import { mayModerate } from "../../../../shared/permissions";
import { useChat } from "../../../state/chat";
import { useSpaces } from "../../../state/spaces";
import { listInvites, revokeInvite } from "../../../state/spacesInvites";
import { useSpacesUi } from "../../../state/spacesUi";
import { useUi } from "../../../state/ui";
import { Alert } from "../../common/Alert";
import { Button } from "../../common/Button";
import { timeAgo } from "../../common/time";
import { Empty, Loading, SectionTitle } from "./SettingsParts";

export function InvitesSection({ space }: { space: Space }) {
  const members = useSpaces((s) => s.members[space.id]);
  const meId = useChat((s) => s.meId);
  const openDialog = useSpacesUi((s) => s.open);
  const dialog = useSpacesUi((s) => s.dialog);
  const toast = useUi((s) => s.toast);
  const [invites, setInvites] = useState<Invite[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  // Load on open, and again after the invite dialog closes (it may have made a link).
  useEffect(() => {
    if (dialog) return;
    listInvites(space.id).then(setInvites, (err) => setError(describeError(err)));
  }, [space.id, dialog]);

  async function revoke(inv: Invite) {
    setBusy(inv.code);
    try {
      await revokeInvite(inv.code);
      setInvites((list) => list?.filter((x) => x.code !== inv.code) ?? null);
      toast("Invite revoked");
    } catch (err) {
      toast(describeError(err), "error");
    } finally {
      setBusy(null);
    }
  }

  const maker = (id: string) => members?.find((m) => m.user.id === id)?.user.displayName ?? "a former member";
  const mayRevoke = (inv: Invite) =>
    inv.createdBy === meId || (!!members && mayModerate(space.role, "manageInvites", members.find((m) => m.user.id === inv.createdBy)?.role));

  return (
    <section>
      <SectionTitle title="Invites">Links that can still be used to join. Revoking one stops it working at once.</SectionTitle>
      <Button size="sm" className="mb-4" onClick={() => openDialog({ kind: "invite", spaceId: space.id })}>
        Create invite
      </Button>
      {error ? (
        <Alert>{error}</Alert>
      ) : !invites ? (
        <Loading what="invites" />
      ) : invites.length === 0 ? (
        <Empty>No active invites.</Empty>
      ) : (
        <ul aria-label="Invites" className="divide-y divide-zinc-100 overflow-hidden rounded-xl ring-1 ring-inset ring-zinc-200 dark:divide-zinc-800 dark:ring-zinc-800">
          {invites.map((inv) => (
            <li key={inv.code} data-testid="invite-row" data-code={inv.code} className="flex flex-wrap items-center gap-3 px-3 py-2.5 sm:flex-nowrap">
              <span className="min-w-0 flex-1">
                <span className="block truncate font-mono text-sm text-zinc-900 dark:text-zinc-100">{inv.code}</span>
                <span className="block truncate text-xs text-zinc-500 dark:text-zinc-400">
                  by {maker(inv.createdBy)} · {inv.uses}
                  {inv.maxUses !== null ? ` / ${inv.maxUses}` : ""} {inv.uses === 1 && inv.maxUses === null ? "use" : "uses"} ·{" "}
                  {inv.expiresAt ? `expires ${timeAgo(inv.expiresAt)}` : "never expires"}
                </span>
              </span>
              {mayRevoke(inv) ? (
                <Button size="sm" variant="danger-soft" loading={busy === inv.code} onClick={() => void revoke(inv)}>
                  Revoke
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
