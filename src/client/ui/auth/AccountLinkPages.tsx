/**
 * The pages mailed links open, and the request for a reset link. They work signed in or out:
 * a link may be opened in another browser than the one that asked for it.
 */
import { useEffect, useRef, useState, type FormEvent } from "react";
import type { Me } from "../../../shared/protocol";
import { Email, Password } from "../../../shared/protocol";
import { ApiError, api, describeError } from "../../api";
import { navigate, useRouter } from "../../state/router";
import { useSession } from "../../state/session";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Link } from "../common/Link";
import { TextField } from "../common/TextField";
import { useFormAction } from "../common/useFormAction";
import { AuthLayout } from "./AuthLayout";
import { PasswordMeter } from "./PasswordMeter";

const linkClass = "font-medium text-brand-600 hover:text-brand-500 hover:underline dark:text-brand-400";

function linkError(err: unknown): string {
  if (err instanceof ApiError && err.code === "LINK_EXPIRED") return "This link has expired. Ask for a new one.";
  if (err instanceof ApiError && err.code === "LINK_INVALID") return "This link was already used or replaced by a newer one. Ask for a new one if you still need it.";
  return describeError(err);
}

const tokenOf = (search: string) => new URLSearchParams(search).get("token") ?? "";

export function VerifyEmailPage() {
  const search = useRouter((s) => s.search);
  const signedIn = useSession((s) => s.status === "signedIn");
  const [state, setState] = useState<{ done: true } | { error: string } | null>(null);
  const sent = useRef(false);

  useEffect(() => {
    // Once: the token is single-use, and React may run effects twice in development.
    if (sent.current) return;
    sent.current = true;
    api
      .post<{ user: Me }>("/api/auth/verify-email", { token: tokenOf(search) }, { retryAuth: false })
      .then(({ user }) => {
        if (useSession.getState().user?.id === user.id) useSession.setState({ user });
        setState({ done: true });
      })
      .catch((err) => setState({ error: linkError(err) }));
  }, [search]);

  const next = signedIn ? "/" : "/login";
  return (
    <AuthLayout
      title={state && "error" in state ? "That link didn't work" : "Verify your email"}
      subtitle={state === null ? "Checking your link…" : "error" in state ? state.error : "Your email address is verified. Thank you!"}
      footer={
        <Link href={next} className={linkClass}>
          {signedIn ? "Go to Parley" : "Log in"}
        </Link>
      }
    >
      <div data-testid="verify-email-result" data-state={state === null ? "pending" : "error" in state ? "error" : "done"}>
        {state && "done" in state ? (
          <Button size="lg" fullWidth onClick={() => navigate(next, { replace: true })}>
            Continue
          </Button>
        ) : null}
      </div>
    </AuthLayout>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, error, setError, run } = useFormAction();

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    const parsed = Email.safeParse(email);
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? "Enter a valid email address");
    await run(async () => {
      await api.post("/api/auth/password-reset", { email: parsed.data }, { retryAuth: false });
      setSentTo(parsed.data);
    });
  }

  return (
    <AuthLayout
      title="Reset your password"
      subtitle={sentTo ? `If an account uses ${sentTo}, we sent it a link to choose a new password.` : "We'll mail you a link to choose a new one."}
      footer={
        <Link href="/login" className={linkClass}>
          Back to log in
        </Link>
      }
    >
      {sentTo ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="reset-requested">
          The link works once and expires soon. Nothing arrived? Check your spam folder, or ask again in a few minutes.
        </p>
      ) : (
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="forgot-password-form">
          <TextField label="Email" name="email" type="email" autoComplete="email" autoCapitalize="none" spellCheck={false} autoFocus value={email} onChange={(e) => setEmail(e.target.value)} error={error ?? undefined} />
          <Button type="submit" size="lg" fullWidth loading={busy}>
            Send reset link
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}

export function ResetPasswordPage() {
  const search = useRouter((s) => s.search);
  const [password, setPassword] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const { busy, error: formError, run } = useFormAction(linkError);

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    const parsed = Password.safeParse(password);
    if (!parsed.success) return setFieldError(parsed.error.issues[0]?.message ?? "Choose another password");
    setFieldError(null);
    await run(async () => {
      await api.post("/api/auth/password-reset/confirm", { token: tokenOf(search), password }, { retryAuth: false });
      // Every session of the account ended, this browser's included.
      if (useSession.getState().status === "signedIn") useSession.getState().signedOut();
      setDone(true);
    });
  }

  return (
    <AuthLayout
      title={done ? "Password changed" : "Choose a new password"}
      subtitle={done ? "You were signed out everywhere. Log in with your new password." : "Choosing a new password signs you out on every device."}
      footer={
        <Link href="/login" className={linkClass}>
          {done ? "Log in" : "Back to log in"}
        </Link>
      }
    >
      {done ? (
        <Button size="lg" fullWidth onClick={() => navigate("/login", { replace: true })} data-testid="reset-done">
          Log in
        </Button>
      ) : (
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="reset-password-form">
          {formError ? <Alert>{formError}</Alert> : null}
          <div className="flex flex-col gap-2">
            <TextField label="New password" name="password" type="password" autoComplete="new-password" revealable autoFocus value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError ?? undefined} hint="At least 10 characters." />
            <PasswordMeter password={password} />
          </div>
          <Button type="submit" size="lg" fullWidth loading={busy}>
            Set new password
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}
