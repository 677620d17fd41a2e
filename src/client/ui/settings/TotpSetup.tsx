/**
 * Setting up two-factor: the password again (an account without one: a recent sign-in through
 * its provider), then scan the QR code (or type the key) and prove it with a code from the app.
 */
import { useEffect, useState, type FormEvent } from "react";
import { RECENT_SIGN_IN_SECONDS, type RecoveryCodes, type TotpEnrolment } from "../../../shared/protocol";
import { ApiError, api, describeError } from "../../api";
import { useSession } from "../../state/session";
import { ProviderLink, useProviders } from "../auth/OidcButtons";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Spinner } from "../common/icons";
import { TextField } from "../common/TextField";

/** The key in groups of four, as authenticator apps show it when typed by hand. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)!.join(" ");

const enrol = (password?: string) => api.post<TotpEnrolment>("/api/auth/totp/enrol", password === undefined ? {} : { password });

export function TotpSetup({ onConfirmed, onCancel }: { onConfirmed(codes: string[]): void; onCancel(): void }) {
  const passwordless = useSession((s) => s.user?.passwordless === true);
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  return enrolment ? (
    <ScanAndConfirm enrolment={enrolment} onConfirmed={onConfirmed} onCancel={onCancel} />
  ) : passwordless ? (
    <RecentSignInStep onEnrolled={setEnrolment} onCancel={onCancel} />
  ) : (
    <PasswordStep onEnrolled={setEnrolment} onCancel={onCancel} />
  );
}

/** A stolen session must not add its own authenticator: the password comes first. */
function PasswordStep({ onEnrolled, onCancel }: { onEnrolled(e: TotpEnrolment): void; onCancel(): void }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (!password) return setError("Enter your password");
    setBusy(true);
    setError(null);
    try {
      onEnrolled(await enrol(password));
    } catch (err) {
      setBusy(false);
      setPassword("");
      setError(err instanceof ApiError && err.code === "INVALID_CREDENTIALS" ? "That isn't your password." : describeError(err));
    }
  }

  return (
    <form noValidate onSubmit={submit} className="flex max-w-sm flex-col gap-3" data-testid="totp-password-step">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">Confirm it's you: enter your password to set up two-factor authentication.</p>
      <TextField label="Current password" name="current-password" type="password" autoComplete="current-password" revealable autoFocus value={password} onChange={(e) => setPassword(e.target.value)} error={error} />
      <SubmitOrCancel label="Continue" testId="totp-password-continue" busy={busy} onCancel={onCancel} />
    </form>
  );
}

/** An account without a password proves itself by a recent sign-in: past it, through the provider again, back to this page. */
function RecentSignInStep({ onEnrolled, onCancel }: { onEnrolled(e: TotpEnrolment): void; onCancel(): void }) {
  const providers = useProviders();
  const [state, setState] = useState<"loading" | "reauth" | { error: string }>("loading");

  useEffect(() => {
    let live = true;
    enrol()
      .then((e) => live && onEnrolled(e))
      .catch((err) => live && setState(err instanceof ApiError && err.code === "REAUTH_REQUIRED" ? "reauth" : { error: describeError(err) }));
    return () => {
      live = false;
    };
  }, [onEnrolled]);

  if (state === "loading") return <Preparing />;
  if (state !== "reauth") return <Alert>{state.error}</Alert>;
  return (
    <div className="flex max-w-sm flex-col gap-3" data-testid="totp-reauth">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Confirm it's you: you signed in more than {RECENT_SIGN_IN_SECONDS / 60} minutes ago. Sign in again, then set up two-factor authentication.
      </p>
      {providers?.oidc.map((p) => <ProviderLink key={p.id} provider={p} reauth={{ path: "/settings/security" }} />)}
      <Button type="button" variant="ghost" className="self-start" onClick={onCancel}>
        Cancel
      </Button>
    </div>
  );
}

function Preparing() {
  return (
    <div role="status" className="flex justify-center py-8 text-zinc-400">
      <Spinner className="size-6" />
      <span className="sr-only">Preparing set-up</span>
    </div>
  );
}

function ScanAndConfirm({ enrolment, onConfirmed, onCancel }: { enrolment: TotpEnrolment; onConfirmed(codes: string[]): void; onCancel(): void }) {
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function confirm(ev: FormEvent) {
    ev.preventDefault();
    if (code.length !== 6) return setError("Enter the 6-digit code from the app");
    setBusy(true);
    setError(null);
    try {
      const { recoveryCodes } = await api.post<RecoveryCodes>("/api/auth/totp/confirm", { code });
      onConfirmed(recoveryCodes);
    } catch (err) {
      setBusy(false);
      setCode("");
      setError(err instanceof ApiError && err.code === "TOTP_INVALID" ? "That code didn't match. Check the app shows Parley and enter its current code." : describeError(err));
    }
  }

  return (
    <div className="flex flex-col gap-6" data-testid="totp-setup">
      <ol className="flex flex-col gap-6 sm:flex-row">
        <li className="flex flex-col items-center gap-3 sm:w-52">
          <p className="self-start text-sm font-medium">1. Scan this QR code with your authenticator app</p>
          <img src={enrolment.qrCode} alt="QR code to add Parley to your authenticator app" className="size-48 rounded-lg bg-white p-1 ring-1 ring-zinc-200 dark:ring-zinc-700" data-testid="totp-qr" />
        </li>
        <li className="flex min-w-0 flex-1 flex-col gap-2">
          <p className="text-sm font-medium">Can't scan it? Enter this key in the app instead</p>
          <code className="break-words rounded-lg bg-zinc-50 px-3 py-2 font-mono text-sm tracking-wide text-zinc-800 ring-1 ring-inset ring-zinc-200 dark:bg-zinc-950 dark:text-zinc-200 dark:ring-zinc-800" data-testid="totp-secret">
            {grouped(enrolment.secret)}
          </code>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">Time-based, 6 digits, every 30 seconds.</p>
          <form noValidate onSubmit={confirm} className="mt-4 flex flex-col gap-3">
            <p className="text-sm font-medium">2. Enter the 6-digit code the app shows</p>
            {error ? <Alert>{error}</Alert> : null}
            <TextField
              label="Authentication code"
              name="totp-code"
              autoComplete="one-time-code"
              inputMode="numeric"
              maxLength={6}
              placeholder="123456"
              className="max-w-48 [&_input]:font-mono [&_input]:tracking-[0.4em]"
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))}
            />
            <SubmitOrCancel label="Turn on" testId="totp-confirm" busy={busy} onCancel={onCancel} />
          </form>
        </li>
      </ol>
    </div>
  );
}

function SubmitOrCancel({ label, testId, busy, onCancel }: { label: string; testId: string; busy: boolean; onCancel(): void }) {
  return (
    <div className="flex gap-2">
      <Button type="submit" loading={busy} data-testid={testId}>
        {label}
      </Button>
      <Button type="button" variant="ghost" onClick={onCancel}>
        Cancel
      </Button>
    </div>
  );
}
