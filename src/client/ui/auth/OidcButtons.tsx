/** "Continue with <provider>" links for each configured OIDC provider (full-page navigation). */
import { useEffect, useState } from "react";
import type { AuthProviders } from "../../../shared/protocol";
import { api } from "../../api";
import { KeyIcon } from "../common/icons";

let cached: AuthProviders | null = null;
let pending: Promise<AuthProviders> | null = null;

function loadProviders(): Promise<AuthProviders> {
  if (cached) return Promise.resolve(cached);
  pending ??= api
    .get<AuthProviders>("/api/auth/providers", { retryAuth: false })
    .then((p) => (cached = p))
    .finally(() => {
      pending = null;
    });
  return pending;
}

export function useProviders(): AuthProviders | null {
  const [providers, setProviders] = useState<AuthProviders | null>(cached);
  useEffect(() => {
    let live = true;
    loadProviders()
      .then((p) => live && setProviders(p))
      .catch(() => live && setProviders({ password: true, oidc: [] }));
    return () => {
      live = false;
    };
  }, []);
  return providers;
}

export function OidcButtons({ providers }: { providers: AuthProviders["oidc"] }) {
  if (providers.length === 0) return null;
  return (
    <div className="mt-6">
      <div className="relative flex items-center" aria-hidden="true">
        <div className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
        <span className="px-3 text-xs font-medium uppercase tracking-wider text-zinc-400 dark:text-zinc-500">or</span>
        <div className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
      </div>
      <ul className="mt-6 flex flex-col gap-2.5">
        {providers.map((p) => (
          <li key={p.id}>
            <ProviderLink provider={p} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * A full-page navigation through the provider. `reauth`: signing in again to confirm a change, back
 * to `path` afterwards; the provider asks for the login even when it remembers the browser.
 */
export function ProviderLink({ provider, reauth }: { provider: AuthProviders["oidc"][number]; reauth?: { path: string } }) {
  return (
    <a
      href={`/api/auth/oidc/${encodeURIComponent(provider.id)}${reauth ? `?reauth=1&next=${encodeURIComponent(reauth.path)}` : ""}`}
      data-testid={`oidc-${provider.id}`}
      className="inline-flex h-10 w-full items-center justify-center gap-2.5 rounded-lg bg-white px-4 text-sm font-medium text-zinc-800 shadow-xs ring-1 ring-inset ring-zinc-300 transition-colors hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 dark:bg-zinc-800 dark:text-zinc-100 dark:ring-zinc-700 dark:hover:bg-zinc-700/70"
    >
      <ProviderGlyph name={provider.name} />
      Continue with {provider.name}
    </a>
  );
}

function ProviderGlyph({ name }: { name: string }) {
  if (/google/i.test(name)) {
    return (
      <svg viewBox="0 0 24 24" className="size-4.5" aria-hidden="true">
        <path fill="#4285F4" d="M22.5 12.3c0-.8-.1-1.5-.2-2.2H12v4.2h5.9a5 5 0 0 1-2.2 3.3v2.7h3.5c2.1-1.9 3.3-4.7 3.3-8Z" />
        <path fill="#34A853" d="M12 23c3 0 5.5-1 7.3-2.7l-3.5-2.7c-1 .7-2.3 1.1-3.8 1.1-2.9 0-5.4-2-6.3-4.6H2.1v2.8A11 11 0 0 0 12 23Z" />
        <path fill="#FBBC05" d="M5.7 14.1a6.6 6.6 0 0 1 0-4.2V7.1H2.1a11 11 0 0 0 0 9.8l3.6-2.8Z" />
        <path fill="#EA4335" d="M12 5.4c1.6 0 3.1.6 4.2 1.7l3.1-3.1A11 11 0 0 0 2.1 7.1l3.6 2.8C6.6 7.4 9.1 5.4 12 5.4Z" />
      </svg>
    );
  }
  return <KeyIcon className="size-4.5 text-zinc-500 dark:text-zinc-400" />;
}
