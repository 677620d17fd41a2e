/**
 * "Export your data": asks for a zip of the profile, friends, messages and uploaded files, shows
 * its progress while the server builds it (polled each second), then a download link until it
 * expires.
 */
import { useCallback, useEffect, useState } from "react";
import type { AccountExport } from "../../../shared/protocol";
import { api, describeError } from "../../api";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { DownloadIcon } from "../common/chatIcons";
import { useFormAction } from "../common/useFormAction";
import { formatWhen } from "./AccountPage";

const POLL_MS = 1000;
const building = (e: AccountExport | null) => e?.status === "pending" || e?.status === "running";
const megabytes = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

export function ExportSection() {
  const [current, setCurrent] = useState<AccountExport | null | undefined>(undefined);
  const { busy, error, setError, run } = useFormAction();

  const load = useCallback(async () => {
    try {
      setCurrent((await api.get<{ export: AccountExport | null }>("/api/account/export")).export);
    } catch (err) {
      setError(describeError(err));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (!building(current ?? null)) return;
    const timer = setTimeout(() => void load(), POLL_MS);
    return () => clearTimeout(timer);
  }, [current, load]);

  const request = () => run(async () => setCurrent((await api.post<{ export: AccountExport }>("/api/account/export")).export));

  const percent = current && current.total > 0 ? Math.round((current.progress / current.total) * 100) : 0;
  return (
    <section className="rounded-xl bg-white p-5 ring-1 ring-zinc-200/80 sm:p-6 dark:bg-zinc-900/50 dark:ring-zinc-800" aria-labelledby="export-title" data-testid="export-section">
      <h2 id="export-title" className="text-base font-semibold">
        Export your data
      </h2>
      <p className="mt-1 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
        A zip file of your profile, your friends, every message you've sent (as JSON) and the files you uploaded. It's prepared in the background; you can leave
        this page meanwhile.
      </p>
      <div className="mt-4 flex flex-col gap-3">
        {error ? <Alert>{error}</Alert> : null}
        {building(current ?? null) ? (
          <div data-testid="export-progress" className="max-w-md">
            <div className="flex justify-between text-sm text-zinc-700 dark:text-zinc-300">
              <span>Preparing your export…</span>
              <span>{current!.total > 0 ? `${percent}%` : ""}</span>
            </div>
            <div className="mt-2 h-2 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800" role="progressbar" aria-label="Export progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
              <div className="h-full rounded-full bg-brand-600 transition-[width]" style={{ width: `${percent}%` }} />
            </div>
          </div>
        ) : current?.status === "ready" ? (
          <div className="flex flex-wrap items-center gap-3" data-testid="export-ready">
            <a
              href={current.downloadUrl}
              download
              className="inline-flex items-center gap-2 rounded-lg bg-brand-600 px-3.5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-500"
            >
              <DownloadIcon className="size-4" /> Download ({megabytes(current.size ?? 0)})
            </a>
            <span className="text-sm text-zinc-500 dark:text-zinc-400">Available until {formatWhen(current.expiresAt!)}</span>
          </div>
        ) : current?.status === "failed" ? (
          <Alert>Your last export couldn't be prepared. Try again.</Alert>
        ) : null}
        {building(current ?? null) ? null : (
          <Button variant={current?.status === "ready" ? "secondary" : "primary"} className="self-start" loading={busy} disabled={current === undefined} onClick={() => void request()}>
            {current?.status === "ready" ? "Make a new export" : "Export my data"}
          </Button>
        )}
      </div>
    </section>
  );
}
