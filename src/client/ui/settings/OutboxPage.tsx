/** The instance admin's mail outbox: what Parley would have mailed, when no SMTP server is configured. */
import { useCallback, useEffect, useState } from "react";
import type { OutboxMessage, OutboxResult } from "../../../shared/account-mail";
import { api, describeError } from "../../api";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { MailIcon, Spinner } from "../common/icons";
import { formatDate } from "../common/time";
import { PageHeader } from "../shell/PageHeader";

export function OutboxPage() {
  const [box, setBox] = useState<OutboxResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setBox(await api.get<OutboxResult>("/api/admin/outbox"));
    } catch (err) {
      setError(describeError(err));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <PageHeader title="Mail outbox" icon={<MailIcon className="size-5" />} actions={<Button variant="secondary" onClick={() => void load()}>Refresh</Button>} />
      <div className="mx-auto w-full max-w-3xl px-4 py-6 sm:px-8 sm:py-10">
        <p className="max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
          {box?.transport === "smtp"
            ? "Mail leaves through the SMTP server set in SMTP_URL, so nothing is kept here."
            : "No SMTP server is configured (SMTP_URL), so account mail — verification and password-reset links — is kept here and in the server log instead. Only instance admins see this page."}
        </p>
        {error ? <Alert className="mt-6">{error}</Alert> : null}
        {!box && !error ? <Spinner className="mt-6 size-5 text-zinc-400" /> : null}
        {box && box.transport === "outbox" && box.messages.length === 0 ? <p className="mt-6 text-sm text-zinc-500">Nothing has been sent yet.</p> : null}
        <ul className="mt-6 flex flex-col gap-4" data-testid="outbox">
          {box?.messages.map((m) => <OutboxItem key={m.id} m={m} />)}
        </ul>
      </div>
    </>
  );
}

function OutboxItem({ m }: { m: OutboxMessage }) {
  return (
    <li className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-zinc-900/5 dark:bg-zinc-900 dark:ring-white/10" data-testid="outbox-message">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
        <span className="font-semibold text-zinc-900 dark:text-white">{m.subject}</span>
        <span className="text-xs text-zinc-500">{formatDate(m.createdAt)}</span>
      </div>
      <div className="mt-0.5 text-xs text-zinc-500">To {m.to}</div>
      {/* Plain text, links and all: shown as text, never as HTML. */}
      <pre className="mt-3 whitespace-pre-wrap break-words font-sans text-sm text-zinc-700 dark:text-zinc-300">{m.text}</pre>
    </li>
  );
}
