/**
 * The account's email: whether it is verified, and a change — which takes effect only once the
 * link mailed to the new address is followed (POST /api/users/me/email).
 */
import { useState, type FormEvent } from "react";
import { Email } from "../../../shared/protocol";
import { ApiError, api, describeError } from "../../api";
import { useSession } from "../../state/session";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { CheckIcon, MailIcon } from "../common/icons";
import { TextField } from "../common/TextField";
import { PageHeader } from "../shell/PageHeader";

export function EmailPage() {
  const user = useSession((s) => s.user);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!user) return null;

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    const parsed = Email.safeParse(email);
    if (!parsed.success) return setErrors({ email: parsed.error.issues[0]?.message ?? "Enter a valid email address" });
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      await api.post("/api/users/me/email", { email: parsed.data, password: password || undefined });
      setSentTo(parsed.data);
      setEmail("");
      setPassword("");
    } catch (err) {
      if (err instanceof ApiError && err.code === "INVALID_CREDENTIALS") setErrors({ password: "That isn't your current password." });
      else if (err instanceof ApiError && err.fieldErrors.email) setErrors({ email: err.fieldErrors.email });
      else setFormError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="Email" icon={<MailIcon className="size-5" />} />
      <div className="mx-auto flex w-full max-w-xl flex-col gap-8 px-4 py-6 sm:px-8 sm:py-10">
        <section>
          <h2 className="text-sm font-semibold text-zinc-900 dark:text-white">Your address</h2>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-zinc-700 dark:text-zinc-300" data-testid="current-email">
            <span className="break-all">{user.email}</span>
            {user.emailVerified ? (
              <span className="inline-flex items-center gap-1 rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-200">
                <CheckIcon className="size-3" /> Verified
              </span>
            ) : (
              <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/50 dark:text-amber-100">Not verified</span>
            )}
          </p>
        </section>
        <section>
          <h2 className="text-sm font-semibold text-zinc-900 dark:text-white">Change your address</h2>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">We'll mail a link to the new address. Your address changes when you open it; until then it stays {user.email}.</p>
          {sentTo ? (
            <Alert tone="info" className="mt-4">
              Check {sentTo}: open the link we sent to finish the change.
            </Alert>
          ) : null}
          <form noValidate onSubmit={onSubmit} className="mt-4 flex flex-col gap-4" data-testid="change-email-form">
            {formError ? <Alert>{formError}</Alert> : null}
            <TextField label="New email" name="email" type="email" autoComplete="email" autoCapitalize="none" spellCheck={false} value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
            <TextField label="Current password" name="password" type="password" autoComplete="current-password" revealable value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} hint="Not needed if you only sign in with single sign-on." />
            <Button type="submit" loading={busy} className="self-start">
              Send link
            </Button>
          </form>
        </section>
      </div>
    </>
  );
}
