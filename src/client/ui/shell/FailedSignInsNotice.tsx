/** After a sign-in: how many failed attempts the account saw since the last one, until dismissed. */
import { useSession } from "../../state/session";
import { AlertIcon, CloseIcon } from "../common/icons";

export function FailedSignInsNotice() {
  const failures = useSession((s) => s.recentFailures);
  const dismiss = useSession((s) => s.dismissRecentFailures);
  if (!failures) return null;
  const when = new Date(failures.lastAt).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return (
    <div role="status" data-testid="failed-sign-ins" className="flex shrink-0 items-center gap-3 bg-amber-100 px-4 py-2 text-sm text-amber-950 dark:bg-amber-900/60 dark:text-amber-50">
      <AlertIcon className="size-4 shrink-0" />
      <span className="flex-1">
        {failures.count === 1 ? "1 failed sign-in attempt" : `${failures.count} failed sign-in attempts`} on your account since you last signed in (latest {when}).
        <span className="font-normal"> If that wasn't you, choose a stronger password.</span>
      </span>
      <button type="button" onClick={dismiss} className="rounded-md p-1 hover:bg-amber-200 dark:hover:bg-amber-800">
        <span className="sr-only">Dismiss</span>
        <CloseIcon className="size-4" />
      </button>
    </div>
  );
}
