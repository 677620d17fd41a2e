import { useState } from "react";
import { describeError } from "../../api";
import { useUi } from "../../state/ui";

/**
 * Runs an action once at a time, reporting failures as a toast. It stays busy after a success:
 * the row or button it belongs to is replaced by the change it made.
 */
export function useAction() {
  const toast = useUi((s) => s.toast);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>, ok?: string) => {
    setBusy(true);
    try {
      await fn();
      if (ok) toast(ok);
    } catch (err) {
      toast(describeError(err), "error");
      setBusy(false);
    }
  };
  return { busy, run };
}
