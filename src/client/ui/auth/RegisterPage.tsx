import { useState, type FormEvent } from "react";
import type { z } from "zod";
import { Email, Password, RESERVED_USERNAMES, USERNAME_MAX, USERNAME_RESERVED_MESSAGE, Username } from "../../../shared/protocol";
import { ApiError, describeError } from "../../api";
import { useSession } from "../../state/session";
import { navigate, safeNext, useRouter } from "../../state/router";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Link } from "../common/Link";
import { TextField } from "../common/TextField";
import { AuthLayout } from "./AuthLayout";
import { OidcButtons, useProviders } from "./OidcButtons";
import { PasswordMeter } from "./PasswordMeter";

type Field = "email" | "username" | "password";
type Values = Record<Field, string>;
type Errors = Partial<Record<Field, string>>;

/** The same schemas the server parses the body with, so the rules cannot drift. */
const SCHEMAS: Record<Field, z.ZodType> = { email: Email, username: Username, password: Password };
const EMPTY: Record<Field, string> = {
  email: "Enter your email address",
  username: "Choose a username",
  password: "Choose a password",
};
const CONFLICT: Record<string, string> = {
  email: "An account with this email already exists. Try logging in instead.",
  username: "That username is taken. Try another one.",
};

function check(field: Field, value: string): string | undefined {
  if (!value.trim()) return EMPTY[field];
  const r = SCHEMAS[field].safeParse(value);
  if (!r.success) return r.error.issues[0]?.message ?? "Invalid value";
  return field === "username" && RESERVED_USERNAMES.has(r.data as string) ? USERNAME_RESERVED_MESSAGE : undefined;
}

export function RegisterPage() {
  const search = useRouter((s) => s.search);
  const register = useSession((s) => s.register);
  const providers = useProviders();
  const [values, setValues] = useState<Values>({ email: "", username: "", password: "" });
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Set when registering did not sign in: the address's mail says what to do. */
  const [checkMail, setCheckMail] = useState<string | null>(null);

  // Too long a username is said at once, while typing: the field does not cut it short.
  const tooLong = (f: Field) => f === "username" && values.username.length > USERNAME_MAX;
  const errorFor = (f: Field) => serverErrors[f] ?? (touched[f] || tooLong(f) ? check(f, values[f]) : undefined);

  function onChange(f: Field, value: string) {
    setValues((v) => ({ ...v, [f]: f === "username" ? value.toLowerCase() : value }));
    if (serverErrors[f]) setServerErrors((e) => ({ ...e, [f]: undefined }));
  }

  function focusField(f: Field) {
    document.querySelector<HTMLInputElement>(`form[data-testid="register-form"] input[name="${f}"]`)?.focus();
  }

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    setFormError(null);
    setTouched({ email: true, username: true, password: true });
    const fields: Field[] = ["email", "username", "password"];
    const firstBad = fields.find((f) => check(f, values[f]));
    if (firstBad) return focusField(firstBad);
    setBusy(true);
    try {
      const user = await register({ email: values.email.trim(), username: values.username.trim(), password: values.password });
      if (user) navigate(safeNext(new URLSearchParams(search).get("next")), { replace: true });
      else setCheckMail(values.email.trim());
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === "USERNAME_RESERVED") {
        setServerErrors({ username: err.message });
        focusField("username");
      } else if (err instanceof ApiError && err.code === "CONFLICT" && err.conflictField) {
        const f = err.conflictField as Field;
        setServerErrors({ [f]: CONFLICT[f] ?? err.message });
        focusField(f);
      } else if (err instanceof ApiError && err.code === "VALIDATION_ERROR" && Object.keys(err.fieldErrors).length) {
        const fe = err.fieldErrors;
        setServerErrors({ email: fe.email, username: fe.username, password: fe.password });
        const bad = fields.find((f) => fe[f]);
        if (bad) focusField(bad);
        else setFormError(err.message);
      } else {
        setFormError(describeError(err));
      }
    }
  }

  if (checkMail) return <CheckYourMail email={checkMail} search={search} />;

  return (
    <AuthLayout
      title="Create your account"
      subtitle="Chat, call and share with your people — on a server you run."
      footer={
        <>
          Already have an account?{" "}
          <Link href={`/login${search}`} className="font-medium text-brand-600 hover:text-brand-500 hover:underline dark:text-brand-400">
            Log in
          </Link>
        </>
      }
    >
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="register-form">
        {formError ? <Alert>{formError}</Alert> : null}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          value={values.email}
          onChange={(e) => onChange("email", e.target.value)}
          onBlur={() => values.email && setTouched((t) => ({ ...t, email: true }))}
          error={errorFor("email")}
        />
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          limit={USERNAME_MAX}
          value={values.username}
          onChange={(e) => onChange("username", e.target.value)}
          onBlur={() => values.username && setTouched((t) => ({ ...t, username: true }))}
          error={errorFor("username")}
          hint="3–32 characters: lowercase letters, numbers and underscores."
        />
        <div className="flex flex-col gap-2">
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            revealable
            value={values.password}
            onChange={(e) => onChange("password", e.target.value)}
            onBlur={() => values.password && setTouched((t) => ({ ...t, password: true }))}
            error={errorFor("password")}
            hint="At least 10 characters. A short sentence works well."
          />
          <PasswordMeter password={values.password} />
        </div>
        <Button type="submit" size="lg" fullWidth loading={busy} className="mt-2">
          Create account
        </Button>
      </form>
      {providers ? <OidcButtons providers={providers.oidc} /> : null}
    </AuthLayout>
  );
}

function CheckYourMail({ email, search }: { email: string; search: string }) {
  return (
    <AuthLayout
      title="Check your email"
      subtitle={`We sent a message to ${email}. It tells you how to go on from here.`}
      footer={
        <Link href={`/login${search}`} className="font-medium text-brand-600 hover:text-brand-500 hover:underline dark:text-brand-400">
          Back to log in
        </Link>
      }
    >
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="register-check-mail">
        If this address already has an account, the message explains how to sign in or reset the password.
      </p>
    </AuthLayout>
  );
}
