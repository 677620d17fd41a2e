/** Reports: messages users reported, with what they said then; resolve one once dealt with. */
import { useState } from "react";
import type { AdminReport } from "../../../shared/admin";
import { api, describeError } from "../../api";
import { useUi } from "../../state/ui";
import { Button } from "../common/Button";
import { timeAgo } from "../common/time";
import { cn } from "../common/cn";
import { AccountName, Card, ListState } from "./parts";
import { usePaged } from "./usePaged";

export function ReportsTab() {
  const toast = useUi((s) => s.toast);
  const [status, setStatus] = useState<"open" | "resolved">("open");
  const list = usePaged<AdminReport>(`/api/admin/reports?status=${status}&limit=25`, "reports");
  const resolve = async (r: AdminReport) => {
    try {
      await api.post(`/api/admin/reports/${r.id}/resolve`);
      list.setItems((items) => items?.filter((x) => x.id !== r.id) ?? null);
      toast("Report resolved");
    } catch (err) {
      toast(describeError(err), "error");
    }
  };
  return (
    <>
      <div className="flex gap-1" role="radiogroup" aria-label="Which reports">
        {(["open", "resolved"] as const).map((s) => (
          <button
            key={s}
            type="button"
            role="radio"
            aria-checked={status === s}
            onClick={() => setStatus(s)}
            className={cn("rounded-md px-3 py-1.5 text-sm font-medium", status === s ? "bg-zinc-900 text-white dark:bg-white dark:text-zinc-900" : "text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800")}
          >
            {s === "open" ? "Open" : "Resolved"}
          </button>
        ))}
      </div>
      <Card className="mt-4 divide-y divide-zinc-100 dark:divide-zinc-800" testId="admin-reports">
        {list.items?.map((r) => (
          <div key={r.id} className="px-4 py-3" data-testid="admin-report">
            <div className="flex flex-wrap items-baseline justify-between gap-2 text-xs text-zinc-500">
              <span>
                <AccountName account={r.reporter} /> reported a message by {r.author ? <AccountName account={r.author} /> : r.guestName ? `the guest “${r.guestName}”` : "a guest"} · {timeAgo(r.createdAt)}
              </span>
              {r.resolvedAt ? <span>resolved {timeAgo(r.resolvedAt)}</span> : null}
            </div>
            <blockquote className="mt-2 whitespace-pre-wrap break-words rounded-lg bg-zinc-50 px-3 py-2 text-sm text-zinc-800 ring-1 ring-inset ring-zinc-200 dark:bg-zinc-800/60 dark:text-zinc-200 dark:ring-zinc-700">{r.content}</blockquote>
            <div className="mt-2 flex flex-wrap items-center justify-between gap-2">
              <p className="text-sm text-zinc-700 dark:text-zinc-300">
                <span className="font-medium">Reason:</span> {r.reason}
              </p>
              {r.resolvedAt ? null : (
                <Button size="sm" variant="secondary" onClick={() => void resolve(r)}>
                  Mark resolved
                </Button>
              )}
            </div>
          </div>
        ))}
      </Card>
      <ListState {...list} more={() => void list.more()} empty={status === "open" ? "No open reports." : "No resolved reports."} />
    </>
  );
}
