/**
 * Confirms deleting the account: the password (or, for a single sign-on account, the username
 * typed out) and a two-factor code when that is on. On success every session has ended.
 */
import { useState, type FormEvent } from "react";
import type { DeletionScheduled, Me } from "../../../shared/protocol";
import { ApiError, api, describeError } from "../../api";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Dialog } from "../common/Dialog";
import { TextField } from "../common/TextField";
import { graceSpan } from "./AccountPage";

export function DeleteAccountDialog({
  open,
  user,
  totpEnabled,
  graceHours,
  onClose,
  onScheduled,
}: {
  open: boolean;
  user: Me;
  totpEnabled: boolean;
  graceHours: number | null;
  onClose(): void;
  onScheduled(result: DeletionScheduled): void;
}) {
  const [secret, setSecret] = useState("");
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<{ secret?: string; code?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setSecret("");
    setCode("");
    setErrors({});
    setFormError(null);
    onClose();
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (!secret) return setErrors({ secret: user.passwordless ? "Type your username" : "Enter your password" });
    if (totpEnabled && !code.trim()) return setErrors({ code: "Enter a code from your app or a recovery code" });
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const body = { ...(user.passwordless ? { confirm: secret } : { password: secret }), ...(totpEnabled ? { code } : {}) };
      onScheduled(await api.post<DeletionScheduled>("/api/account/deletion", body, { retryAuth: false }));
    } catch (err) {
      if (err instanceof ApiError && err.code === "INVALID_CREDENTIALS") setErrors({ secret: "That isn't your password." });
      else if (err instanceof ApiError && err.code === "VALIDATION_ERROR" && user.passwordless) setErrors({ secret: "That isn't your username." });
      else if (err instanceof ApiError && err.code === "TOTP_INVALID") setErrors({ code: "That code didn't work. Try the newest code from your app." });
      else setFormError(describeError(err));
      setCode("");
    } finally {
      setBusy(false);
    }
  }

  const grace = graceHours === null ? "after a grace period" : `in ${graceSpan(graceHours)}`;
  return (
    <Dialog open={open} onClose={close} title="Delete your account?" description={`You'll be signed out everywhere. Your account is deleted ${grace}; sign in before then to keep it.`}>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4" data-testid="delete-account-dialog">
        {formError ? <Alert>{formError}</Alert> : null}
        {user.passwordless ? (
          <TextField
            label={`Type your username (${user.username}) to confirm`}
            name="confirm"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            data-autofocus
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            error={errors.secret}
          />
        ) : (
          <TextField label="Password" name="password" type="password" autoComplete="current-password" revealable data-autofocus value={secret} onChange={(e) => setSecret(e.target.value)} error={errors.secret} />
        )}
        {totpEnabled ? (
          <TextField label="Authentication or recovery code" name="code" autoComplete="one-time-code" autoCapitalize="none" spellCheck={false} maxLength={20} value={code} onChange={(e) => setCode(e.target.value)} error={errors.code} />
        ) : null}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" type="button" onClick={close}>
            Cancel
          </Button>
          <Button variant="danger" type="submit" loading={busy}>
            Delete my account
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
