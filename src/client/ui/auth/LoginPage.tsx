import { useState, type FormEvent } from "react";
import type { TotpRequiredDetails } from "../../../shared/protocol";
import { ApiError, describeError } from "../../api";
import { useSession } from "../../state/session";
import { navigate, safeNext, useRouter } from "../../state/router";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Link } from "../common/Link";
import { TextField } from "../common/TextField";
import { AuthLayout } from "./AuthLayout";
import { OidcButtons, useProviders } from "./OidcButtons";
import { TotpStep, type PendingSignIn } from "./TotpStep";

type Fields = { login?: string; password?: string };

const CALLBACK_ERRORS: Record<string, string> = {
  OIDC_ERROR: "Single sign-on didn't complete. Please try again.",
  RATE_LIMITED: "Too many sign-in attempts. Please wait a moment and try again.",
  ACCOUNT_LOCKED: "Too many failed sign-in attempts. Try again in a moment.",
  CONFLICT: "An account with that email already exists. Log in with your password instead.",
  NOT_FOUND: "That sign-in provider isn't available on this server.",
  UNAVAILABLE: "The sign-in provider couldn't be reached. Please try again.",
  FORBIDDEN: "Sign-in was refused.",
  ACCOUNT_DISABLED: "This account has been disabled by the instance's admins.",
};

/** The error code the server put in the URL after a failed OIDC round trip, if any. */
function callbackError(search: string): string | null {
  const code = new URLSearchParams(search).get("error");
  if (!code) return null;
  return CALLBACK_ERRORS[code] ?? "Sign-in didn't complete. Please try again.";
}

export function LoginPage() {
  const search = useRouter((s) => s.search);
  const login = useSession((s) => s.login);
  const providers = useProviders();
  const [values, setValues] = useState({ login: "", password: "" });
  const [errors, setErrors] = useState<Fields>({});
  const [formError, setFormError] = useState<string | null>(() => callbackError(search));
  const [busy, setBusy] = useState(false);
  // After an OIDC callback the pending sign-in is already in its cookie.
  const [pending, setPending] = useState<PendingSignIn | null>(() => (new URLSearchParams(search).get("step") === "totp" ? { recentFailures: null } : null));

  function validate(): Fields {
    const e: Fields = {};
    if (!values.login.trim()) e.login = "Enter your email or username";
    if (!values.password) e.password = "Enter your password";
    return e;
  }

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    const e = validate();
    setErrors(e);
    setFormError(null);
    if (e.login || e.password) {
      document.getElementById(e.login ? "login-field" : "password-field")?.querySelector("input")?.focus();
      return;
    }
    setBusy(true);
    try {
      await login({ login: values.login.trim(), password: values.password });
      navigate(safeNext(new URLSearchParams(search).get("next")), { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === "TOTP_REQUIRED") {
        setPending({ recentFailures: (err.details as TotpRequiredDetails | undefined)?.recentFailures ?? null });
      } else if (err instanceof ApiError && err.code === "INVALID_CREDENTIALS") {
        setFormError("That email/username and password don't match. Check them and try again.");
      } else if (err instanceof ApiError && err.code === "VALIDATION_ERROR") {
        const f = err.fieldErrors;
        setErrors({ login: f.login, password: f.password });
        if (!f.login && !f.password) setFormError(describeError(err));
      } else {
        setFormError(describeError(err));
      }
    }
  }

  const set = (k: keyof typeof values) => (ev: React.ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [k]: ev.target.value }));
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }));
  };

  if (pending) {
    return (
      <TotpStep
        pending={pending}
        onDone={() => navigate(safeNext(new URLSearchParams(search).get("next")), { replace: true })}
        onRestart={(message) => {
          setPending(null);
          if (new URLSearchParams(search).has("step")) navigate("/login", { replace: true });
          setValues((v) => ({ ...v, password: "" }));
          setFormError(message || null);
        }}
      />
    );
  }

  return (
    <AuthLayout
      title="Welcome back"
      subtitle="Log in to pick up where you left off."
      footer={
        <>
          New to Parley?{" "}
          <Link href={`/register${search}`} className="font-medium text-brand-600 hover:text-brand-500 hover:underline dark:text-brand-400">
            Create an account
          </Link>
        </>
      }
    >
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="login-form">
        {formError ? <Alert>{formError}</Alert> : null}
        <div id="login-field">
          <TextField
            label="Email or username"
            name="login"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            autoFocus
            value={values.login}
            onChange={set("login")}
            error={errors.login}
          />
        </div>
        <div id="password-field" className="flex flex-col gap-1.5">
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            revealable
            value={values.password}
            onChange={set("password")}
            error={errors.password}
          />
          <Link href="/forgot-password" className="self-end text-sm font-medium text-brand-600 hover:text-brand-500 hover:underline dark:text-brand-400">
            Forgot password?
          </Link>
        </div>
        <Button type="submit" size="lg" fullWidth loading={busy} className="mt-2">
          Log in
        </Button>
      </form>
      {providers ? <OidcButtons providers={providers.oidc} /> : null}
    </AuthLayout>
  );
}
