/** Asks for a current code (authenticator or recovery) before a two-factor change: turning it off, new recovery codes. */
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
  onClose,
  onSubmit,
}: {
  open: boolean;
  title: string;
  description: string;
  confirmLabel: string;
  danger?: boolean;
  onClose(): void;
  /** Sends the code; throws ApiError on refusal. */
  onSubmit(code: string): Promise<void>;
}) {
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setCode("");
    setError(null);
    onClose();
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (!code.trim()) return setError("Enter a code from your app or a recovery code");
    setBusy(true);
    setError(null);
    try {
      await onSubmit(code);
      setCode("");
    } catch (err) {
      setCode("");
      setError(err instanceof ApiError && err.code === "TOTP_INVALID" ? "That code didn't work. Try the newest code from your app, or a recovery code you haven't used." : describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} onClose={close} title={title} description={description}>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4" data-testid="totp-code-dialog">
        {error ? <Alert>{error}</Alert> : null}
        <TextField
          label="Authentication or recovery code"
          name="code"
          autoComplete="one-time-code"
          autoCapitalize="none"
          spellCheck={false}
          data-autofocus
          maxLength={20}
          value={code}
          onChange={(e) => setCode(e.target.value)}
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
