/** The instance admin's console at /admin: one tab per area, the tab in the URL (?tab=). */
import type { ComponentType } from "react";
import { navigate, useRouter } from "../../state/router";
import { useSession } from "../../state/session";
import { Alert } from "../common/Alert";
import { ShieldIcon } from "../common/icons";
import { cn } from "../common/cn";
import { PageHeader } from "../shell/PageHeader";
import { AuditTab } from "./AuditTab";
import { MetricsTab } from "./MetricsTab";
import { ReportsTab } from "./ReportsTab";
import { SettingsTab } from "./SettingsTab";
import { SpacesTab } from "./SpacesTab";
import { UsersTab } from "./UsersTab";

const TABS: Array<{ id: string; label: string; Tab: ComponentType }> = [
  { id: "users", label: "Users", Tab: UsersTab },
  { id: "spaces", label: "Spaces", Tab: SpacesTab },
  { id: "reports", label: "Reports", Tab: ReportsTab },
  { id: "settings", label: "Settings", Tab: SettingsTab },
  { id: "metrics", label: "Metrics", Tab: MetricsTab },
  { id: "audit", label: "Audit log", Tab: AuditTab },
];

export function AdminPage() {
  const admin = useSession((s) => s.user?.instanceAdmin);
  const search = useRouter((s) => s.search);
  const current = TABS.find((t) => t.id === new URLSearchParams(search).get("tab")) ?? TABS[0]!;
  return (
    <>
      <PageHeader title="Admin console" icon={<ShieldIcon className="size-5" />} />
      <div className="mx-auto w-full max-w-5xl px-4 py-6 sm:px-8">
        {!admin ? (
          <Alert>Only the instance's admins may see this.</Alert>
        ) : (
          <>
            <nav aria-label="Admin console" className="-mx-1 mb-6 flex gap-1 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800">
              {TABS.map((t) => (
                <a
                  key={t.id}
                  href={`/admin?tab=${t.id}`}
                  aria-current={t.id === current.id ? "page" : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`/admin?tab=${t.id}`, { keepScroll: true });
                  }}
                  className={cn(
                    "-mb-px whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium",
                    t.id === current.id ? "border-brand-600 text-brand-700 dark:border-brand-400 dark:text-brand-300" : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100",
                  )}
                >
                  {t.label}
                </a>
              ))}
              <a href="/admin/outbox" onClick={(e) => (e.preventDefault(), navigate("/admin/outbox"))} className="-mb-px whitespace-nowrap border-b-2 border-transparent px-3 py-2 text-sm font-medium text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">
                Mail outbox
              </a>
            </nav>
            <current.Tab key={current.id} />
          </>
        )}
      </div>
    </>
  );
}
