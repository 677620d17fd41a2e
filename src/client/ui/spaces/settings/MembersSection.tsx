/** Members: remove (kick) or ban people below your role. */
import { useState } from "react";
import { can, outranks } from "../../../../shared/permissions";
import type { Space, SpaceMember } from "../../../../shared/protocol";
import { useChat } from "../../../state/chat";
import { useSpaces } from "../../../state/spaces";
import { banMember, kickMember } from "../../../state/spacesActions";
import { useUi } from "../../../state/ui";
import { Button } from "../../common/Button";
import { ConfirmDialog } from "../../common/ConfirmDialog";
import { sortMembers } from "../MemberPanel";
import { Loading, PeopleList, PersonRow, ROLE_LABEL, SectionTitle } from "./SettingsParts";

type Pending = { member: SpaceMember; action: "kick" | "ban" };

export function MembersSection({ space }: { space: Space }) {
  const members = useSpaces((s) => s.members[space.id]);
  const meId = useChat((s) => s.meId);
  const toast = useUi((s) => s.toast);
  const [pending, setPending] = useState<Pending | null>(null);

  return (
    <section>
      <SectionTitle title={`Members${members ? ` — ${members.length}` : ""}`}>
        Removing someone takes them out of the space; they can come back with a new invite. Banning also stops them from rejoining.
      </SectionTitle>
      {!members ? (
        <Loading what="members" />
      ) : (
        <PeopleList label="Members">
          {sortMembers(members).map((m) => {
            const below = m.user.id !== meId && outranks(space.role, m.role);
            return (
              <PersonRow key={m.user.id} user={m.user} detail={ROLE_LABEL[m.role]} testId="manage-member-row">
                {below && can(space.role, "kick") ? (
                  <Button size="sm" variant="secondary" onClick={() => setPending({ member: m, action: "kick" })}>
                    Remove
                  </Button>
                ) : null}
                {below && can(space.role, "ban") ? (
                  <Button size="sm" variant="danger-soft" onClick={() => setPending({ member: m, action: "ban" })}>
                    Ban
                  </Button>
                ) : null}
              </PersonRow>
            );
          })}
        </PeopleList>
      )}
      <ConfirmDialog
        open={!!pending}
        title={pending ? `${pending.action === "ban" ? "Ban" : "Remove"} ${pending.member.user.displayName}?` : ""}
        confirmLabel={pending?.action === "ban" ? "Ban" : "Remove"}
        onClose={() => setPending(null)}
        onConfirm={async () => {
          if (!pending) return;
          const { member, action } = pending;
          await (action === "ban" ? banMember : kickMember)(space.id, member.user.id);
          toast(`${member.user.displayName} was ${action === "ban" ? "banned" : "removed"}`);
        }}
      >
        {pending?.action === "ban"
          ? `They'll be removed from ${space.name} and won't be able to rejoin until they're unbanned.`
          : `They'll be removed from ${space.name}. They can rejoin with an invite.`}
      </ConfirmDialog>
    </section>
  );
}
