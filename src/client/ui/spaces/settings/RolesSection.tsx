/** Roles (owner only): make members admins or members, or hand the space to someone. */
import { useState } from "react";
import type { Space, SpaceMember } from "../../../../shared/protocol";
import { describeError } from "../../../api";
import { useSpaces } from "../../../state/spaces";
import { setMemberRole, transferOwnership } from "../../../state/spacesActions";
import { useUi } from "../../../state/ui";
import { Button } from "../../common/Button";
import { ConfirmDialog } from "../../common/ConfirmDialog";
import { sortMembers } from "../MemberPanel";
import { Loading, PeopleList, PersonRow, ROLE_LABEL, SectionTitle } from "./SettingsParts";

export function RolesSection({ space }: { space: Space }) {
  const members = useSpaces((s) => s.members[space.id]);
  const toast = useUi((s) => s.toast);
  const [busy, setBusy] = useState<string | null>(null);
  const [heir, setHeir] = useState<SpaceMember | null>(null);

  async function change(m: SpaceMember, role: "admin" | "member") {
    setBusy(m.user.id);
    try {
      await setMemberRole(space.id, m.user.id, role);
      toast(`${m.user.displayName} is now ${role === "admin" ? "an admin" : "a member"}`);
    } catch (err) {
      toast(describeError(err), "error");
    } finally {
      setBusy(null);
    }
  }

  return (
    <section>
      <SectionTitle title="Roles">
        Admins can manage channels, invites and the space's name and icon, and remove members. Only the owner can change roles or delete the space.
      </SectionTitle>
      {!members ? (
        <Loading what="members" />
      ) : (
        <PeopleList label="Member roles">
          {sortMembers(members).map((m) => (
            <PersonRow key={m.user.id} user={m.user} testId="role-row">
              {m.role === "owner" ? (
                <span className="rounded-full bg-amber-100 px-2.5 py-1 text-xs font-semibold text-amber-800 dark:bg-amber-500/15 dark:text-amber-300">Owner</span>
              ) : (
                <>
                  <label className="sr-only" htmlFor={`role-${m.user.id}`}>
                    Role of {m.user.displayName}
                  </label>
                  <select
                    id={`role-${m.user.id}`}
                    value={m.role}
                    disabled={busy === m.user.id}
                    onChange={(e) => void change(m, e.target.value as "admin" | "member")}
                    className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm text-zinc-900 focus:border-brand-500 focus:outline-none focus:ring-4 focus:ring-brand-500/15 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
                  >
                    <option value="admin">{ROLE_LABEL.admin}</option>
                    <option value="member">{ROLE_LABEL.member}</option>
                  </select>
                  <Button size="sm" variant="ghost" onClick={() => setHeir(m)}>
                    Transfer ownership
                  </Button>
                </>
              )}
            </PersonRow>
          ))}
        </PeopleList>
      )}
      <ConfirmDialog
        open={!!heir}
        title={`Transfer ownership to ${heir?.user.displayName ?? ""}?`}
        confirmLabel="Transfer ownership"
        onClose={() => setHeir(null)}
        onConfirm={async () => {
          if (!heir) return;
          await transferOwnership(space.id, heir.user.id);
          toast(`${heir.user.displayName} now owns ${space.name}`);
        }}
      >
        They'll own {space.name} and you'll become an admin. Only they can give it back.
      </ConfirmDialog>
    </section>
  );
}
