/** Spaces: every space with its owner and member count; delete one. */
import { useState } from "react";
import type { AdminSpace } from "../../../shared/admin";
import { api } from "../../api";
import { useUi } from "../../state/ui";
import { Button } from "../common/Button";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { formatDate } from "../common/time";
import { AccountName, Card, ListState } from "./parts";
import { usePaged } from "./usePaged";

export function SpacesTab() {
  const toast = useUi((s) => s.toast);
  const list = usePaged<AdminSpace>("/api/admin/spaces?limit=25", "spaces");
  const [deleting, setDeleting] = useState<AdminSpace | null>(null);
  return (
    <>
      <Card className="divide-y divide-zinc-100 dark:divide-zinc-800" testId="admin-spaces">
        {list.items?.map((s) => (
          <div key={s.id} className="flex items-center gap-4 px-4 py-3" data-testid="admin-space">
            <div className="min-w-0 flex-1">
              <div className="truncate text-sm font-medium text-zinc-900 dark:text-zinc-100">{s.name}</div>
              <div className="mt-0.5 text-xs text-zinc-500">
                {s.memberCount === 1 ? "1 member" : `${s.memberCount} members`} · owned by <AccountName account={s.owner} /> · created {formatDate(s.createdAt)}
              </div>
            </div>
            <Button size="sm" variant="danger-soft" onClick={() => setDeleting(s)}>
              Delete
            </Button>
          </div>
        ))}
      </Card>
      <ListState {...list} more={() => void list.more()} empty="No spaces yet." />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name}?`}
        confirmLabel="Delete space"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await api.del(`/api/admin/spaces/${deleting!.id}`);
          list.setItems((items) => items?.filter((x) => x.id !== deleting!.id) ?? null);
          toast(`${deleting!.name} was deleted`);
        }}
      >
        Its channels and every message in them go for all {deleting?.memberCount} members. This can't be undone.
      </ConfirmDialog>
    </>
  );
}
