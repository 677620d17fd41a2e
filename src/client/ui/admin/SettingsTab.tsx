/** Settings: the effective configuration, secrets left out by the server. */
import { useEffect, useState } from "react";
import type { AdminSettings } from "../../../shared/admin";
import { api, describeError } from "../../api";
import { Alert } from "../common/Alert";
import { Spinner } from "../common/icons";
import { Card } from "./parts";

const show = (v: unknown) => (v === null ? "—" : Array.isArray(v) ? v.join(", ") || "—" : typeof v === "boolean" ? (v ? "yes" : "no") : String(v));

export function SettingsTab() {
  const [settings, setSettings] = useState<AdminSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<AdminSettings>("/api/admin/settings").then(setSettings, (err) => setError(describeError(err)));
  }, []);
  if (error) return <Alert>{error}</Alert>;
  if (!settings) return <Spinner className="size-5 text-zinc-400" />;
  return (
    <div className="grid gap-4 lg:grid-cols-2" data-testid="admin-settings">
      <p className="text-sm text-zinc-600 lg:col-span-2 dark:text-zinc-400">What this instance runs with, from its environment. Keys, tokens and passwords are never shown; change settings in the environment and restart.</p>
      {Object.entries(settings).map(([group, values]) => (
        <Card key={group} className="p-4">
          <h3 className="text-sm font-semibold capitalize text-zinc-900 dark:text-zinc-100">{group.replace(/([A-Z])/g, " $1").toLowerCase()}</h3>
          <dl className="mt-2 grid grid-cols-[minmax(0,1fr)_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
            {Object.entries(values).map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="truncate text-zinc-500">{k.replace(/([A-Z])/g, " $1").toLowerCase()}</dt>
                <dd className="break-words font-mono text-xs leading-5 text-zinc-800 dark:text-zinc-200">{show(v)}</dd>
              </div>
            ))}
          </dl>
        </Card>
      ))}
    </div>
  );
}
