/** The account as a whole: exporting its data, and deleting it (after a grace period). */
import { useEffect, useState } from "react";
import type { AccountSettings, TotpStatus } from "../../../shared/protocol";
import { api, forgetTokens } from "../../api";
import { useSession } from "../../state/session";
import { useUi } from "../../state/ui";
import { Button } from "../common/Button";
import { AccountIcon } from "../common/icons";
import { PageHeader } from "../shell/PageHeader";
import { DeleteAccountDialog } from "./DeleteAccountDialog";
import { ExportSection } from "./ExportSection";

/** "December 9, 2026 at 14:05" in the reader's locale. */
export const formatWhen = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "long", timeStyle: "short" });

/** The grace period in words: "3 days", "1 day", "1 hour", "36 hours". */
export function graceSpan(hours: number): string {
  const [n, unit] = hours % 24 === 0 ? [hours / 24, "day"] : [hours, "hour"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

export function AccountPage() {
  const user = useSession((s) => s.user);
  const toast = useUi((s) => s.toast);
  const [settings, setSettings] = useState<AccountSettings | null>(null);
  const [totp, setTotp] = useState<TotpStatus | null>(null);
  const [deleting, setDeleting] = useState(false);

  useEffect(() => {
    void api.get<AccountSettings>("/api/account").then(setSettings, () => {});
    void api.get<TotpStatus>("/api/auth/totp").then(setTotp, () => {});
  }, []);
  if (!user) return null;

  return (
    <>
      <PageHeader title="Account" icon={<AccountIcon className="size-5" />} />
      <div className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6 sm:px-8 sm:py-10">
        <ExportSection />
        <section className="rounded-xl bg-white p-5 ring-1 ring-red-200 sm:p-6 dark:bg-zinc-900/50 dark:ring-red-900/60" aria-labelledby="delete-title" data-testid="delete-account-section">
          <h2 id="delete-title" className="text-base font-semibold text-red-700 dark:text-red-400">
            Delete account
          </h2>
          <p className="mt-1 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
            Your profile, email, friends, sessions and two-factor settings are erased. Messages you sent stay where they are, shown as from “Deleted user”, and spaces you
            own pass to their next admin or member (a space with nobody else in it is deleted). Your username becomes free for others.
          </p>
          <p className="mt-2 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
            Nothing is erased for {settings ? graceSpan(settings.deletionGraceHours) : "a while"}: sign in during that time and you can keep your account.
          </p>
          <Button variant="danger-soft" className="mt-4" onClick={() => setDeleting(true)} disabled={totp === null}>
            Delete account…
          </Button>
        </section>
      </div>
      <DeleteAccountDialog
        open={deleting}
        user={user}
        totpEnabled={totp?.enabled ?? false}
        graceHours={settings?.deletionGraceHours ?? null}
        onClose={() => setDeleting(false)}
        onScheduled={({ deletionScheduledFor }) => {
          setDeleting(false);
          forgetTokens();
          useSession.getState().signedOut();
          toast(`Your account will be deleted on ${formatWhen(deletionScheduledFor)}. Sign in before then to keep it.`);
        }}
      />
    </>
  );
}
