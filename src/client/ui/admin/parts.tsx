/** Small pieces the console's tabs share: a card, an empty line, a "Load more" row, a status pill, an account's name with its state. */
import type { ReactNode } from "react";
import type { AccountState, AdminAccountRef } from "../../../shared/admin";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Spinner } from "../common/icons";
import { cn } from "../common/cn";

export function Card({ children, className, testId }: { children: ReactNode; className?: string; testId?: string }) {
  return (
    <div data-testid={testId} className={cn("rounded-xl bg-white ring-1 ring-zinc-200/80 dark:bg-zinc-900/50 dark:ring-zinc-800", className)}>
      {children}
    </div>
  );
}

export function ListState({ items, error, loading, hasMore, more, empty }: { items: unknown[] | null; error: string | null; loading: boolean; hasMore: boolean; more(): void; empty: string }) {
  return (
    <>
      {error ? <Alert className="mt-4">{error}</Alert> : null}
      {items === null && !error ? <Spinner className="mt-4 size-5 text-zinc-400" /> : null}
      {items?.length === 0 ? <p className="mt-4 text-sm text-zinc-500">{empty}</p> : null}
      {hasMore ? (
        <Button variant="secondary" size="sm" className="mt-4" loading={loading} onClick={more}>
          Load more
        </Button>
      ) : null}
    </>
  );
}

export function Pill({ tone, children, title }: { tone: "green" | "red" | "amber" | "zinc" | "brand"; children: ReactNode; title?: string }) {
  const tones = {
    amber: "bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-500/10 dark:text-amber-300 dark:ring-amber-500/20",
    green: "bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-400 dark:ring-emerald-500/20",
    red: "bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-500/10 dark:text-red-400 dark:ring-red-500/20",
    zinc: "bg-zinc-100 text-zinc-600 ring-zinc-500/10 dark:bg-zinc-800 dark:text-zinc-400 dark:ring-zinc-700",
    brand: "bg-brand-50 text-brand-700 ring-brand-600/20 dark:bg-brand-500/10 dark:text-brand-300 dark:ring-brand-500/20",
  };
  return (
    <span title={title} className={cn("inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", tones[tone])}>
      {children}
    </span>
  );
}

export const STATE_LABELS: Record<AccountState, string> = { active: "Active", disabled: "Disabled", deleting: "Deletion scheduled", deleted: "Deleted" };
const STATE_TONES = { disabled: "red", deleting: "amber", deleted: "zinc" } as const;

/** A badge for an account that is not plainly in use; nothing for an active one. */
export function StatePill({ state, title }: { state: AccountState; title?: string }) {
  if (state === "active") return null;
  return (
    <span data-testid="account-state" data-state={state} className="inline-flex">
      <Pill tone={STATE_TONES[state]} title={title}>
        {STATE_LABELS[state]}
      </Pill>
    </span>
  );
}

/** "@name" as a list line names an account, with its state's badge; an erased account is "a deleted user", its placeholder name hidden. */
export function AccountName({ account }: { account: AdminAccountRef }) {
  return (
    <span data-account-id={account.id}>
      <span className="whitespace-nowrap">{account.state === "deleted" || !account.username ? "a deleted user" : `@${account.username}`}</span>
      {account.state === "active" ? null : " "}
      <StatePill state={account.state} />
    </span>
  );
}
