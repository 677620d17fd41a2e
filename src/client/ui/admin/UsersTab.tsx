/** Users: search by username or email, or list those disabled, waiting for deletion or erased; disable or enable an account, reset its two-factor. */
import { useState } from "react";
import { ACCOUNT_STATES, type AccountState, type AdminUser } from "../../../shared/admin";
import { api } from "../../api";
import { useSession } from "../../state/session";
import { useUi } from "../../state/ui";
import { Button } from "../common/Button";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { formatDate } from "../common/time";
import { Card, ListState, Pill, STATE_LABELS, StatePill } from "./parts";
import { usePaged } from "./usePaged";

type Pending = { kind: "disable" | "totp"; user: AdminUser } | null;

export function UsersTab() {
  const me = useSession((s) => s.user?.id);
  const toast = useUi((s) => s.toast);
  const [query, setQuery] = useState("");
  const [q, setQ] = useState("");
  const [state, setState] = useState<AccountState | "">("");
  const list = usePaged<AdminUser>(`/api/admin/users?limit=25${q ? `&q=${encodeURIComponent(q)}` : ""}${state ? `&state=${state}` : ""}`, "users");
  const [pending, setPending] = useState<Pending>(null);

  const replace = (u: AdminUser) => list.setItems((items) => items?.map((x) => (x.id === u.id ? u : x)) ?? null);
  const enable = async (u: AdminUser) => {
    replace((await api.post<{ user: AdminUser }>(`/api/admin/users/${u.id}/enable`)).user);
    toast(`${u.username} can sign in again`);
  };

  return (
    <>
      <form
        role="search"
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(query.trim());
        }}
      >
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Username or email"
          aria-label="Search users"
          className="h-10 min-w-0 flex-1 rounded-lg bg-white px-3 text-sm ring-1 ring-inset ring-zinc-300 focus:outline-none focus:ring-2 focus:ring-brand-500 dark:bg-zinc-900 dark:ring-zinc-700"
        />
        <select
          value={state}
          onChange={(e) => setState(e.target.value as AccountState | "")}
          aria-label="Show accounts"
          className="h-10 rounded-lg bg-white px-2 text-sm ring-1 ring-inset ring-zinc-300 focus:outline-none focus:ring-2 focus:ring-brand-500 dark:bg-zinc-900 dark:ring-zinc-700"
        >
          <option value="">All accounts</option>
          {ACCOUNT_STATES.map((s) => (
            <option key={s} value={s}>
              {STATE_LABELS[s]}
            </option>
          ))}
        </select>
        <Button type="submit">Search</Button>
      </form>
      <Card className="mt-4 divide-y divide-zinc-100 dark:divide-zinc-800" testId="admin-users">
        {list.items?.map((u) => (
          <div key={u.id} className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3" data-testid="admin-user" data-username={u.username} data-user-id={u.id}>
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-center gap-2 text-sm">
                <span className="font-medium text-zinc-900 dark:text-zinc-100">{u.displayName}</span>
                {u.state === "deleted" ? null : <span className="text-zinc-500">@{u.username}</span>}
                {u.instanceAdmin ? <Pill tone="brand">Admin</Pill> : null}
                <StatePill state={u.state} title={u.deletionScheduledFor ? `Erased on ${formatDate(u.deletionScheduledFor)} unless they sign in and keep it` : undefined} />
                {u.state === "deleting" && u.disabledAt ? <StatePill state="disabled" /> : null}
                {u.totpEnabled ? <Pill tone="green">2FA</Pill> : null}
              </div>
              <div className="mt-0.5 truncate text-xs text-zinc-500">
                {u.deletedAt ? (
                  <>Erased {formatDate(u.deletedAt)} · joined {formatDate(u.createdAt)}</>
                ) : (
                  <>
                    {u.email}
                    {u.emailVerified ? "" : " (unverified)"} · joined {formatDate(u.createdAt)}
                    {u.deletionScheduledFor ? ` · erased on ${formatDate(u.deletionScheduledFor)}` : ""}
                  </>
                )}
              </div>
            </div>
            {/* An erased account has nothing left to disable or reset. */}
            {u.deletedAt ? null : (
              <div className="flex gap-2">
                {u.totpEnabled ? (
                  <Button size="sm" variant="secondary" onClick={() => setPending({ kind: "totp", user: u })}>
                    Reset 2FA
                  </Button>
                ) : null}
                {u.disabledAt ? (
                  <Button size="sm" variant="secondary" onClick={() => void enable(u)}>
                    Enable
                  </Button>
                ) : u.id !== me ? (
                  <Button size="sm" variant="danger-soft" onClick={() => setPending({ kind: "disable", user: u })}>
                    Disable
                  </Button>
                ) : null}
              </div>
            )}
          </div>
        ))}
      </Card>
      <ListState {...list} more={() => void list.more()} empty={q || state ? "Nobody matches." : "No users yet."} />

      <ConfirmDialog
        open={pending?.kind === "disable"}
        title={`Disable ${pending?.user.username}?`}
        confirmLabel="Disable"
        onClose={() => setPending(null)}
        onConfirm={async () => {
          replace((await api.post<{ user: AdminUser }>(`/api/admin/users/${pending!.user.id}/disable`)).user);
          toast(`${pending!.user.username} is disabled`);
        }}
      >
        They are signed out everywhere at once and can't sign in until the account is enabled again. Their messages stay.
      </ConfirmDialog>
      <ConfirmDialog
        open={pending?.kind === "totp"}
        title={`Reset two-factor for ${pending?.user.username}?`}
        confirmLabel="Reset"
        onClose={() => setPending(null)}
        onConfirm={async () => {
          await api.del(`/api/admin/users/${pending!.user.id}/totp`);
          replace({ ...pending!.user, totpEnabled: false });
          toast("Two-factor sign-in is off for that account");
        }}
      >
        Their password alone will sign them in; they can set two-factor up again on their Security page. Only do this once you're sure who is asking.
      </ConfirmDialog>
    </>
  );
}
