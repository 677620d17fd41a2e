/** The user's security settings: two-factor authentication (set up, recovery codes, turn off) and recent security activity. */
import { useCallback, useEffect, useState } from "react";
import type { RecoveryCodes, TotpStatus } from "../../../shared/protocol";
import { api, describeError } from "../../api";
import { useSession } from "../../state/session";
import { useUi } from "../../state/ui";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { ShieldIcon, Spinner } from "../common/icons";
import { PageHeader } from "../shell/PageHeader";
import { RecoveryCodesPanel } from "./RecoveryCodesPanel";
import { TotpCodeDialog } from "./TotpCodeDialog";
import { TotpSetup } from "./TotpSetup";
import { SecurityActivity } from "./SecurityActivity";

type View = { kind: "status" } | { kind: "setup" } | { kind: "codes"; codes: string[] };

export function SecurityPage() {
  const toast = useUi((s) => s.toast);
  const askPassword = useSession((s) => s.user?.passwordless !== true);
  const [status, setStatus] = useState<TotpStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [view, setView] = useState<View>({ kind: "status" });
  const [dialog, setDialog] = useState<"disable" | "regenerate" | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setStatus(await api.get<TotpStatus>("/api/auth/totp"));
    } catch (err) {
      setError(describeError(err));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const showCodes = (codes: string[]) => {
    setView({ kind: "codes", codes });
    void load();
  };

  return (
    <>
      <PageHeader title="Security" icon={<ShieldIcon className="size-5" />} />
      <div className="mx-auto w-full max-w-3xl px-4 py-6 sm:px-8 sm:py-10">
        <section className="rounded-xl bg-white p-5 ring-1 ring-zinc-200/80 sm:p-6 dark:bg-zinc-900/50 dark:ring-zinc-800" aria-labelledby="totp-title" data-testid="totp-section">
          <div className="flex flex-wrap items-center gap-3">
            <h2 id="totp-title" className="text-base font-semibold">
              Two-factor authentication
            </h2>
            {status?.enabled ? (
              <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700 ring-1 ring-inset ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-400 dark:ring-emerald-500/20" data-testid="totp-on">
                On
              </span>
            ) : status ? (
              <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400">Off</span>
            ) : null}
          </div>
          <p className="mt-1 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
            After your password (or single sign-on), Parley also asks for a code from an authenticator app on your phone, such as Google Authenticator,
            1Password or Aegis.
          </p>

          <div className="mt-5">
            {error ? (
              <Alert>
                {error}{" "}
                <button type="button" onClick={() => void load()} className="font-semibold underline">
                  Try again
                </button>
              </Alert>
            ) : view.kind === "codes" ? (
              <RecoveryCodesPanel codes={view.codes} onDone={() => setView({ kind: "status" })} />
            ) : view.kind === "setup" ? (
              <TotpSetup onConfirmed={(codes) => (toast("Two-factor authentication is on"), showCodes(codes))} onCancel={() => setView({ kind: "status" })} />
            ) : status === null ? (
              <div role="status" className="flex text-zinc-400">
                <Spinner className="size-5" />
                <span className="sr-only">Loading</span>
              </div>
            ) : status.enabled ? (
              <div className="flex flex-col gap-4 sm:flex-row sm:items-center">
                <p className="flex-1 text-sm text-zinc-600 dark:text-zinc-400" data-testid="recovery-left">
                  {status.recoveryCodesLeft === 1 ? "1 recovery code left." : `${status.recoveryCodesLeft} recovery codes left.`}
                  {status.recoveryCodesLeft !== null && status.recoveryCodesLeft <= 3 ? " Make new ones before you run out." : ""}
                </p>
                <div className="flex flex-wrap gap-2">
                  <Button variant="secondary" onClick={() => setDialog("regenerate")}>
                    New recovery codes
                  </Button>
                  <Button variant="danger-soft" onClick={() => setDialog("disable")} data-testid="totp-disable">
                    Turn off
                  </Button>
                </div>
              </div>
            ) : (
              <Button icon={<ShieldIcon className="size-4" />} onClick={() => setView({ kind: "setup" })} data-testid="totp-enable">
                Set up two-factor authentication
              </Button>
            )}
          </div>
        </section>
        <SecurityActivity />
      </div>

      <TotpCodeDialog
        open={dialog === "disable"}
        title="Turn off two-factor authentication?"
        description={`Your ${askPassword ? "password" : "single sign-on"} alone will sign you in again. To confirm, enter ${askPassword ? "your password and " : ""}a code from your authenticator app, or a recovery code.`}
        confirmLabel="Turn off"
        danger
        askPassword={askPassword}
        onClose={() => setDialog(null)}
        onSubmit={async (body) => {
          await api.post("/api/auth/totp/disable", body);
          setDialog(null);
          toast("Two-factor authentication is off");
          await load();
        }}
      />
      <TotpCodeDialog
        open={dialog === "regenerate"}
        title="Make new recovery codes?"
        description={`Your current recovery codes will stop working. To confirm, enter ${askPassword ? "your password and " : ""}a code from your authenticator app, or a recovery code.`}
        confirmLabel="Make new codes"
        askPassword={askPassword}
        onClose={() => setDialog(null)}
        onSubmit={async (body) => {
          const { recoveryCodes } = await api.post<RecoveryCodes>("/api/auth/totp/recovery-codes", body);
          setDialog(null);
          showCodes(recoveryCodes);
        }}
      />
    </>
  );
}
