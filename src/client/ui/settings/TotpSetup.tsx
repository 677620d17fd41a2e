/** Setting up two-factor: scan the QR code (or type the key), then prove it with a code from the app. */
import { useEffect, useState, type FormEvent } from "react";
import type { RecoveryCodes, TotpEnrolment } from "../../../shared/protocol";
import { ApiError, api, describeError } from "../../api";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Spinner } from "../common/icons";
import { TextField } from "../common/TextField";

/** The key in groups of four, as authenticator apps show it when typed by hand. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)!.join(" ");

export function TotpSetup({ onConfirmed, onCancel }: { onConfirmed(codes: string[]): void; onCancel(): void }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .post<TotpEnrolment>("/api/auth/totp/enrol")
      .then((e) => live && setEnrolment(e))
      .catch((err) => live && setLoadError(describeError(err)));
    return () => {
      live = false;
    };
  }, []);

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

  if (loadError) return <Alert>{loadError}</Alert>;
  if (!enrolment) {
    return (
      <div role="status" className="flex justify-center py-8 text-zinc-400">
        <Spinner className="size-6" />
        <span className="sr-only">Preparing set-up</span>
      </div>
    );
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
            <div className="flex gap-2">
              <Button type="submit" loading={busy} data-testid="totp-confirm">
                Turn on
              </Button>
              <Button type="button" variant="ghost" onClick={onCancel}>
                Cancel
              </Button>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}
