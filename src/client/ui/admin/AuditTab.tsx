/** The audit log: filter by kind and user, page back, export the filtered log as CSV or NDJSON. */
import { useState } from "react";
import { AUDIT_KINDS, type AuditEvent } from "../../../shared/audit";
import { Button } from "../common/Button";
import { AUDIT_LABELS, auditDetail } from "../settings/auditLabels";
import { describeDevice } from "../settings/userAgent";
import { AccountName, Card, ListState } from "./parts";
import { usePaged } from "./usePaged";


export function AuditTab() {
  const [kind, setKind] = useState("");
  const [user, setUser] = useState("");
  const filter = new URLSearchParams({ ...(kind ? { kind } : {}), ...(user ? { user } : {}) }).toString();
  const list = usePaged<AuditEvent>(`/api/admin/audit?limit=50${filter ? `&${filter}` : ""}`, "events");
  const exportUrl = (format: string) => `/api/admin/audit/export?format=${format}${filter ? `&${filter}` : ""}`;
  return (
    <>
      <div className="flex flex-wrap items-center gap-2">
        <select value={kind} onChange={(e) => setKind(e.target.value)} aria-label="Kind of event" className="h-9 rounded-lg bg-white px-2 text-sm ring-1 ring-inset ring-zinc-300 dark:bg-zinc-900 dark:ring-zinc-700">
          <option value="">Every kind</option>
          {AUDIT_KINDS.map((k) => (
            <option key={k} value={k}>
              {AUDIT_LABELS[k]}
            </option>
          ))}
        </select>
        {user ? (
          <Button size="sm" variant="secondary" onClick={() => setUser("")}>
            Any user ✕
          </Button>
        ) : null}
        <div className="ml-auto flex gap-2">
          <a href={exportUrl("csv")} download className="rounded-md px-3 py-1.5 text-sm font-medium text-brand-700 ring-1 ring-inset ring-zinc-300 hover:bg-zinc-50 dark:text-brand-300 dark:ring-zinc-700 dark:hover:bg-zinc-800">
            Export CSV
          </a>
          <a href={exportUrl("ndjson")} download className="rounded-md px-3 py-1.5 text-sm font-medium text-brand-700 ring-1 ring-inset ring-zinc-300 hover:bg-zinc-50 dark:text-brand-300 dark:ring-zinc-700 dark:hover:bg-zinc-800">
            Export NDJSON
          </a>
        </div>
      </div>
      <Card className="mt-4 overflow-x-auto" testId="admin-audit">
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-zinc-500">
            <tr className="border-b border-zinc-100 dark:border-zinc-800">
              <th className="px-4 py-2 font-medium">When</th>
              <th className="px-4 py-2 font-medium">Event</th>
              <th className="px-4 py-2 font-medium">By</th>
              <th className="px-4 py-2 font-medium">Account</th>
              <th className="px-4 py-2 font-medium">From</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {list.items?.map((e) => (
              <tr key={e.id} data-testid="audit-row" data-kind={e.kind}>
                <td className="whitespace-nowrap px-4 py-2 text-xs text-zinc-500">{new Date(e.at).toLocaleString()}</td>
                <td className="px-4 py-2">
                  {AUDIT_LABELS[e.kind] ?? e.kind} <span className="text-zinc-500">{auditDetail(e)}</span>
                </td>
                <td className="px-4 py-2">{e.actor ? <UserLink u={e.actor} onPick={setUser} /> : "—"}</td>
                <td className="px-4 py-2">{e.target ? <UserLink u={e.target} onPick={setUser} /> : "—"}</td>
                <td className="px-4 py-2 text-xs text-zinc-500">{[e.ip, e.userAgent ? describeDevice(e.userAgent).label : null].filter(Boolean).join(" · ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <ListState {...list} more={() => void list.more()} empty="No events match." />
    </>
  );
}

function UserLink({ u, onPick }: { u: NonNullable<AuditEvent["actor"]>; onPick(id: string): void }) {
  return (
    <button type="button" title="Only this user's events" onClick={() => onPick(u.id)} className="text-left text-brand-700 hover:underline dark:text-brand-300">
      <AccountName account={u} />
    </button>
  );
}
