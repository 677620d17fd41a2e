/** The user's own recent security events (GET /api/auth/security-events), newest first, a page at a time. */
import { useCallback, useEffect, useState } from "react";
import type { AuditEvent, AuditPage } from "../../../shared/audit";
import { api, describeError } from "../../api";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Spinner } from "../common/icons";
import { timeAgo } from "../common/time";
import { cn } from "../common/cn";
import { ALARMING, AUDIT_LABELS, auditDetail } from "./auditLabels";
import { describeDevice } from "./userAgent";

export function SecurityActivity() {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async (cursor?: string) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<AuditPage>(`/api/auth/security-events?limit=10${cursor ? `&cursor=${cursor}` : ""}`);
      setEvents((prev) => (cursor ? [...(prev ?? []), ...page.events] : page.events));
      setNext(page.nextCursor);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="mt-6 rounded-xl bg-white p-5 ring-1 ring-zinc-200/80 sm:p-6 dark:bg-zinc-900/50 dark:ring-zinc-800" aria-labelledby="activity-title" data-testid="security-activity">
      <h2 id="activity-title" className="text-base font-semibold">
        Recent security activity
      </h2>
      <p className="mt-1 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">Sign-ins, failed attempts and changes to your account. If you don't recognise one, change your password and sign out everywhere.</p>
      {error ? <Alert className="mt-4">{error}</Alert> : null}
      {events === null && !error ? <Spinner className="mt-4 size-5 text-zinc-400" /> : null}
      {events?.length === 0 ? <p className="mt-4 text-sm text-zinc-500">Nothing yet.</p> : null}
      <ul className="mt-4 divide-y divide-zinc-100 dark:divide-zinc-800">
        {events?.map((e) => (
          <li key={e.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-0.5 py-2.5 text-sm" data-testid="security-event" data-kind={e.kind}>
            <span className={cn("font-medium", ALARMING.has(e.kind) ? "text-amber-700 dark:text-amber-400" : "text-zinc-900 dark:text-zinc-100")}>
              {AUDIT_LABELS[e.kind]} <span className="font-normal text-zinc-500">{auditDetail(e)}</span>
            </span>
            <span className="text-xs text-zinc-500" title={new Date(e.at).toLocaleString()}>
              {[e.userAgent ? describeDevice(e.userAgent).label : null, e.ip, timeAgo(e.at)].filter(Boolean).join(" · ")}
            </span>
          </li>
        ))}
      </ul>
      {next ? (
        <Button variant="secondary" className="mt-3" disabled={loading} onClick={() => void load(next)}>
          Show older
        </Button>
      ) : null}
    </section>
  );
}
