/** "Report" on someone else's message: a reason, sent to the instance's admins (POST /api/messages/:id/report). */
import { useState, type FormEvent } from "react";
import { create } from "zustand";
import { REPORT_REASON_MAX } from "../../../shared/admin";
import type { Message } from "../../../shared/protocol";
import { api } from "../../api";
import { useUi } from "../../state/ui";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { Dialog } from "../common/Dialog";
import { useFormAction } from "../common/useFormAction";

/** The one message being reported, if any (one dialog per page). */
export const useReporting = create<{ message: Message | null }>()(() => ({ message: null }));

export function ReportMessageDialog() {
  const message = useReporting((s) => s.message);
  const toast = useUi((s) => s.toast);
  const [reason, setReason] = useState("");
  const { busy, error, setError, run } = useFormAction();
  const close = () => {
    setReason("");
    setError(null);
    useReporting.setState({ message: null });
  };
  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (!message) return;
    if (!reason.trim()) return setError("Say what is wrong with it");
    await run(async () => {
      await api.post(`/api/messages/${message.id}/report`, { reason: reason.trim() });
      close();
      toast("Reported to the admins. Thank you.");
    });
  }
  return (
    <Dialog open={!!message} onClose={close} title="Report message" description="The instance's admins see the message as it is now and your reason. The author is not told who reported it.">
      <form noValidate onSubmit={submit} className="flex flex-col gap-4" data-testid="report-dialog">
        {error ? <Alert>{error}</Alert> : null}
        <span className="block max-h-32 overflow-hidden whitespace-pre-wrap break-words rounded-lg bg-zinc-50 px-3 py-2 text-sm text-zinc-700 ring-1 ring-inset ring-zinc-200 dark:bg-zinc-800/60 dark:text-zinc-300 dark:ring-zinc-700">{message?.content}</span>
        <label className="flex flex-col gap-1.5 text-sm font-medium text-zinc-800 dark:text-zinc-200">
          Reason
          <textarea
            data-autofocus
            value={reason}
            maxLength={REPORT_REASON_MAX}
            rows={3}
            onChange={(e) => setReason(e.target.value)}
            className="rounded-lg bg-white px-3 py-2 font-normal ring-1 ring-inset ring-zinc-300 focus:outline-none focus:ring-2 focus:ring-brand-500 dark:bg-zinc-900 dark:ring-zinc-700"
          />
        </label>
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" type="button" onClick={close}>
            Cancel
          </Button>
          <Button variant="danger" type="submit" loading={busy}>
            Report
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
