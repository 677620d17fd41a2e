/** Until the account's email is verified: a banner saying so, with Resend (rate-limited by the server). */
import { useState } from "react";
import { api, describeError } from "../../api";
import { useSession } from "../../state/session";
import { MailIcon } from "../common/icons";

export function VerifyEmailBanner() {
  const user = useSession((s) => s.user);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!user || user.emailVerified) return null;

  async function resend() {
    setBusy(true);
    try {
      await api.post("/api/auth/verify-email/resend");
      setNote("Sent — check your inbox.");
    } catch (err) {
      setNote(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div role="status" data-testid="verify-email-banner" className="flex shrink-0 flex-wrap items-center gap-x-3 gap-y-1 bg-brand-50 px-4 py-2 text-sm text-brand-950 dark:bg-brand-950/70 dark:text-brand-50">
      <MailIcon className="size-4 shrink-0" />
      <span className="min-w-0 flex-1">
        <strong className="font-semibold">Verify your email.</strong> We sent a link to <span className="break-all">{user.email}</span>.
        {note ? <span className="ml-1 opacity-80">{note}</span> : null}
      </span>
      <button type="button" onClick={() => void resend()} disabled={busy} className="rounded-md px-2 py-1 font-semibold underline-offset-2 hover:underline disabled:opacity-60">
        Resend
      </button>
    </div>
  );
}
