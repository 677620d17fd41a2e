/**
 * Asks for a current code (authenticator or recovery), and the password of an account with one,
 * before a two-factor change: turning it off, new recovery codes.
 */
import { useState, type FormEvent } from "react";
import { ApiError, describeError } from "../../api";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Dialog } from "../common/Dialog";
import { TextField } from "../common/TextField";

export function TotpCodeDialog({
  open,
  title,
  description,
  confirmLabel,
  danger,
  askPassword,
  onClose,
  onSubmit,
}: {
  open: boolean;
  title: string;
  description: string;
  confirmLabel: string;
  danger?: boolean;
  /** The account has a password: it is asked too. */
  askPassword: boolean;
  onClose(): void;
  /** Sends the code (and password); throws ApiError on refusal. */
  onSubmit(body: { code: string; password?: string }): Promise<void>;
}) {
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<{ password?: string; code?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setPassword("");
    setCode("");
    setErrors({});
    setFormError(null);
    onClose();
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (askPassword && !password) return setErrors({ password: "Enter your password" });
    if (!code.trim()) return setErrors({ code: "Enter a code from your app or a recovery code" });
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      await onSubmit(askPassword ? { code, password } : { code });
      setPassword("");
      setCode("");
    } catch (err) {
      setCode("");
      if (err instanceof ApiError && err.code === "INVALID_CREDENTIALS") {
        setPassword("");
        setErrors({ password: "That isn't your password." });
      } else if (err instanceof ApiError && err.code === "TOTP_INVALID") {
        setErrors({ code: "That code didn't work. Try the newest code from your app, or a recovery code you haven't used." });
      } else setFormError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} onClose={close} title={title} description={description}>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4" data-testid="totp-code-dialog">
        {formError ? <Alert>{formError}</Alert> : null}
        {askPassword ? (
          <TextField label="Current password" name="password" type="password" autoComplete="current-password" revealable data-autofocus value={password} onChange={(e) => (setPassword(e.target.value), setErrors({}))} error={errors.password} />
        ) : null}
        <TextField
          label="Authentication or recovery code"
          name="code"
          autoComplete="one-time-code"
          autoCapitalize="none"
          spellCheck={false}
          data-autofocus={askPassword ? undefined : true}
          maxLength={20}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          error={errors.code}
        />
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" type="button" onClick={close}>
            Cancel
          </Button>
          <Button variant={danger ? "danger" : "primary"} type="submit" loading={busy}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
