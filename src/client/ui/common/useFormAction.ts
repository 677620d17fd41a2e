import { useState } from "react";
import { describeError } from "../../api";

/**
 * A form's or a page's one action at a time, its failure kept for the page to show in place (an
 * Alert, a field's error) — unlike useAction, which toasts. `run` answers whether it succeeded.
 */
export function useFormAction(describe: (err: unknown) => string = describeError) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (err) {
      setError(describe(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
