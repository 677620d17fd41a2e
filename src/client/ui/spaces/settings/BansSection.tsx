/** Bans: who is banned, and lifting a ban. */
import { useEffect, useState } from "react";
import type { Space } from "../../../../shared/protocol";
import { describeError } from "../../../api";
import { listBans, unban, type Ban } from "../../../state/spacesActions";
import { useUi } from "../../../state/ui";
import { Alert } from "../../common/Alert";
import { Button } from "../../common/Button";
import { formatDate } from "../../common/time";
import { Empty, Loading, PeopleList, PersonRow, SectionTitle } from "./SettingsParts";

export function BansSection({ space }: { space: Space }) {
  const toast = useUi((s) => s.toast);
  const [bans, setBans] = useState<Ban[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    listBans(space.id).then(setBans, (err) => setError(describeError(err)));
  }, [space.id]);

  async function lift(b: Ban) {
    setBusy(b.user.id);
    try {
      await unban(space.id, b.user.id);
      setBans((list) => list?.filter((x) => x.user.id !== b.user.id) ?? null);
      toast(`${b.user.displayName} was unbanned`);
    } catch (err) {
      toast(describeError(err), "error");
    } finally {
      setBusy(null);
    }
  }

  return (
    <section>
      <SectionTitle title="Bans">Banned people can't rejoin through any invite until the ban is lifted.</SectionTitle>
      {error ? (
        <Alert>{error}</Alert>
      ) : !bans ? (
        <Loading what="bans" />
      ) : bans.length === 0 ? (
        <Empty>Nobody is banned.</Empty>
      ) : (
        <PeopleList label="Banned people">
          {bans.map((b) => (
            <PersonRow key={b.user.id} user={b.user} detail={`banned ${formatDate(b.bannedAt)}`} testId="ban-row">
              <Button size="sm" variant="secondary" loading={busy === b.user.id} onClick={() => void lift(b)}>
                Unban
              </Button>
            </PersonRow>
          ))}
        </PeopleList>
      )}
    </section>
  );
}
