/** The frame around the login and register cards. */
import type { ReactNode } from "react";
import { BrandMark } from "../common/BrandMark";
import { ThemeToggle } from "../common/ThemeToggle";

export function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle: string; children: ReactNode; footer: ReactNode }) {
  return (
    <div className="relative isolate flex min-h-dvh flex-col overflow-hidden bg-zinc-50 text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100">
      <div
        aria-hidden="true"
        className="pointer-events-none absolute inset-x-0 -top-40 -z-10 h-[36rem] bg-[radial-gradient(ellipse_at_top,var(--color-brand-200),transparent_65%)] opacity-70 dark:bg-[radial-gradient(ellipse_at_top,var(--color-brand-900),transparent_65%)] dark:opacity-60"
      />
      <div
        aria-hidden="true"
        className="pointer-events-none absolute inset-0 -z-10 bg-[linear-gradient(to_right,rgb(0_0_0/0.035)_1px,transparent_1px),linear-gradient(to_bottom,rgb(0_0_0/0.035)_1px,transparent_1px)] bg-[size:48px_48px] [mask-image:radial-gradient(ellipse_at_top,black,transparent_70%)] dark:bg-[linear-gradient(to_right,rgb(255_255_255/0.04)_1px,transparent_1px),linear-gradient(to_bottom,rgb(255_255_255/0.04)_1px,transparent_1px)]"
      />
      <header className="flex items-center justify-end px-4 py-4 sm:px-6">
        <ThemeToggle />
      </header>
      <main className="flex flex-1 flex-col items-center px-4 pb-10 pt-2 sm:justify-center sm:pb-24 sm:pt-0">
        <div className="w-full max-w-[26rem]">
          <div className="mb-7 flex justify-center">
            <BrandMark size="lg" />
          </div>
          <section
            aria-labelledby="auth-title"
            className="rounded-2xl bg-white p-6 shadow-xl shadow-zinc-900/5 ring-1 ring-zinc-900/5 sm:p-8 dark:bg-zinc-900 dark:shadow-black/30 dark:ring-white/10"
          >
            <h1 id="auth-title" className="text-xl font-semibold tracking-tight text-zinc-900 dark:text-white">
              {title}
            </h1>
            <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{subtitle}</p>
            <div className="mt-6">{children}</div>
          </section>
          <p className="mt-6 text-center text-sm text-zinc-600 dark:text-zinc-400">{footer}</p>
        </div>
      </main>
    </div>
  );
}
