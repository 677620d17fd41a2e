/** The second step of a sign-in with two-factor on: a code from the authenticator app, or a recovery code. */
import { useState, type FormEvent } from "react";
import type { SessionResult, TotpInvalidDetails } from "../../../shared/protocol";
import { ApiError, describeError } from "../../api";
import { useSession } from "../../state/session";
import { useUi } from "../../state/ui";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { TextField } from "../common/TextField";
import { AuthLayout } from "./AuthLayout";

export interface PendingSignIn {
  /** From the password step, shown once signed in. */
  recentFailures: SessionResult["recentFailures"];
}

const SWITCH_CLASS = "font-medium text-brand-600 hover:text-brand-500 hover:underline dark:text-brand-400";

export function TotpStep({ pending, onDone, onRestart }: { pending: PendingSignIn; onDone(): void; onRestart(message: string): void }) {
  const completeSignIn = useSession((s) => s.completeSignIn);
  const toast = useUi((s) => s.toast);
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    if (!code.trim()) {
      setError(recovery ? "Enter one of your recovery codes" : "Enter the 6-digit code");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { recoveryCodesLeft } = await completeSignIn(code, pending.recentFailures);
      if (recoveryCodesLeft !== undefined) {
        toast(`Recovery code used. ${recoveryCodesLeft} left — you can make new ones under Security.`);
      }
      onDone();
    } catch (err) {
      setBusy(false);
      setCode("");
      if (err instanceof ApiError && err.code === "TOTP_INVALID") {
        if ((err.details as TotpInvalidDetails | undefined)?.attemptsLeft === 0) return onRestart("Too many wrong codes. Enter your password to try again.");
        setError(recovery ? "That recovery code isn't valid or was already used." : "That code didn't work. Check your authenticator app and try again.");
      } else if (err instanceof ApiError && err.code === "UNAUTHORIZED") {
        onRestart("Your sign-in timed out. Enter your password again.");
      } else {
        setError(describeError(err));
      }
    }
  }

  function switchMode() {
    setRecovery((r) => !r);
    setCode("");
    setError(null);
  }

  return (
    <AuthLayout
      title="Two-factor authentication"
      subtitle={recovery ? "Enter one of the recovery codes you saved when you set up two-factor authentication." : "Enter the 6-digit code from your authenticator app."}
      footer={
        <button type="button" className={SWITCH_CLASS} onClick={() => onRestart("")}>
          Back to log in
        </button>
      }
    >
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="totp-form">
        {error ? <Alert>{error}</Alert> : null}
        <TextField
          key={recovery ? "recovery" : "totp"}
          label={recovery ? "Recovery code" : "Authentication code"}
          name={recovery ? "recovery-code" : "totp-code"}
          autoComplete="one-time-code"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          inputMode={recovery ? "text" : "numeric"}
          placeholder={recovery ? "xxxx-xxxx-xxxx" : "123456"}
          maxLength={recovery ? 20 : 6}
          className={recovery ? undefined : "[&_input]:font-mono [&_input]:tracking-[0.4em]"}
          value={code}
          onChange={(e) => setCode(recovery ? e.target.value : e.target.value.replace(/\D/g, ""))}
        />
        <Button type="submit" size="lg" fullWidth loading={busy} className="mt-2">
          Verify
        </Button>
        <button type="button" onClick={switchMode} className={`self-center text-sm ${SWITCH_CLASS}`} data-testid="totp-switch">
          {recovery ? "Use your authenticator app" : "Use a recovery code"}
        </button>
      </form>
    </AuthLayout>
  );
}
