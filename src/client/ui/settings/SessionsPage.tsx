/** Where the user is signed in: list, sign out one session, or all of them. */
import { useCallback, useEffect, useState } from "react";
import type { SessionInfo } from "../../../shared/protocol";
import { api, describeError } from "../../api";
import { navigate } from "../../state/router";
import { useSession } from "../../state/session";
import { useUi } from "../../state/ui";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Dialog } from "../common/Dialog";
import { DevicesIcon, LogOutIcon, MonitorIcon, PhoneIcon, Spinner } from "../common/icons";
import { formatDate, timeAgo } from "../common/time";
import { PageHeader } from "../shell/PageHeader";
import { describeDevice } from "./userAgent";

export function SessionsPage() {
  const logoutAll = useSession((s) => s.logoutAll);
  const toast = useUi((s) => s.toast);
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const [allBusy, setAllBusy] = useState(false);

  const load = useCallback(async () => {
    setError(null);
    try {
      const { sessions } = await api.get<{ sessions: SessionInfo[] }>("/api/auth/sessions");
      setSessions([...sessions].sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt)));
    } catch (err) {
      setError(describeError(err));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function revoke(s: SessionInfo) {
    setRevoking(s.id);
    try {
      await api.del(`/api/auth/sessions/${encodeURIComponent(s.id)}`);
      setSessions((list) => list?.filter((x) => x.id !== s.id) ?? null);
      toast(`Signed out ${describeDevice(s.userAgent).label}`);
    } catch (err) {
      toast(describeError(err), "error");
    } finally {
      setRevoking(null);
    }
  }

  async function signOutEverywhere() {
    setAllBusy(true);
    try {
      await logoutAll();
      navigate("/login", { replace: true });
    } catch (err) {
      setAllBusy(false);
      setConfirmAll(false);
      toast(describeError(err), "error");
    }
  }

  const others = sessions?.filter((s) => !s.current).length ?? 0;

  return (
    <>
      <PageHeader title="Sessions" icon={<DevicesIcon className="size-5" />} />
      <div className="mx-auto w-full max-w-3xl px-4 py-6 sm:px-8 sm:py-10">
        <p className="max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
          These are the devices signed in to your account. Sign out any you don't recognise.
        </p>

        {error ? (
          <Alert className="mt-6">
            {error}{" "}
            <button type="button" onClick={() => void load()} className="font-semibold underline">
              Try again
            </button>
          </Alert>
        ) : null}

        {sessions === null && !error ? (
          <div className="mt-10 flex justify-center text-zinc-400" role="status">
            <Spinner className="size-6" />
            <span className="sr-only">Loading sessions</span>
          </div>
        ) : null}

        {sessions ? (
          <ul
            data-testid="session-list"
            className="mt-6 divide-y divide-zinc-200/80 overflow-hidden rounded-xl ring-1 ring-zinc-200/80 dark:divide-zinc-800 dark:ring-zinc-800"
          >
            {sessions.map((s) => {
              const device = describeDevice(s.userAgent);
              const Icon = device.mobile ? PhoneIcon : MonitorIcon;
              return (
                <li
                  key={s.id}
                  data-testid="session-row"
                  data-current={s.current || undefined}
                  className="flex items-center gap-4 bg-white px-4 py-4 dark:bg-zinc-900/50"
                >
                  <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400">
                    <Icon className="size-5" />
                  </span>
                  <div className="min-w-0 flex-1">
                    <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-zinc-900 dark:text-zinc-100">
                      <span className="truncate" title={s.userAgent}>
                        {device.label}
                      </span>
                      {s.current ? (
                        <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700 ring-1 ring-inset ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-400 dark:ring-emerald-500/20">
                          This device
                        </span>
                      ) : null}
                    </p>
                    <p className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">
                      {s.ip || "Unknown IP"} · {s.current ? "Active now" : `Active ${timeAgo(s.lastUsedAt)}`} · Signed in{" "}
                      {formatDate(s.createdAt)}
                    </p>
                  </div>
                  {s.current ? null : (
                    <Button
                      variant="danger-soft"
                      size="sm"
                      loading={revoking === s.id}
                      onClick={() => void revoke(s)}
                      aria-label={`Sign out ${device.label}, ${s.ip || "unknown IP"}`}
                      data-testid={`revoke-session-${s.id}`}
                    >
                      Sign out
                    </Button>
                  )}
                </li>
              );
            })}
          </ul>
        ) : null}

        {sessions ? (
          <section className="mt-10 flex flex-col gap-4 rounded-xl p-5 ring-1 ring-red-200 sm:flex-row sm:items-center dark:ring-red-500/25">
            <div className="flex-1">
              <h2 className="text-sm font-semibold">Sign out everywhere</h2>
              <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
                {others > 0
                  ? `Ends all ${sessions.length} sessions, including this one.`
                  : "Ends every session, including this one."}
              </p>
            </div>
            <Button variant="danger" icon={<LogOutIcon className="size-4" />} onClick={() => setConfirmAll(true)}>
              Sign out everywhere
            </Button>
          </section>
        ) : null}
      </div>

      <Dialog
        open={confirmAll}
        onClose={() => setConfirmAll(false)}
        title="Sign out everywhere?"
        description="You'll be signed out on every device, including this one, and will need to log in again."
      >
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" data-autofocus onClick={() => setConfirmAll(false)}>
            Cancel
          </Button>
          <Button variant="danger" loading={allBusy} onClick={() => void signOutEverywhere()} data-testid="confirm-sign-out-everywhere">
            Sign out everywhere
          </Button>
        </div>
      </Dialog>
    </>
  );
}
