/** A rough, encouraging strength hint. The server's only rule is length ≥ 10. */
import { cn } from "../common/cn";

function score(pw: string): 0 | 1 | 2 | 3 {
  if (pw.length < 10) return pw.length === 0 ? 0 : 1;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z0-9]/].filter((re) => re.test(pw)).length;
  if (pw.length >= 16 || (pw.length >= 12 && classes >= 3)) return 3;
  return 2;
}

const LABELS = ["", "Too short", "Good", "Strong"] as const;
const COLORS = ["", "bg-red-500", "bg-amber-500", "bg-emerald-500"] as const;

export function PasswordMeter({ password }: { password: string }) {
  const s = score(password);
  if (s === 0) return null;
  return (
    <div className="flex items-center gap-3" aria-live="polite">
      <div className="flex flex-1 gap-1" aria-hidden="true">
        {[1, 2, 3].map((i) => (
          <div key={i} className={cn("h-1 flex-1 rounded-full transition-colors", i <= s ? COLORS[s] : "bg-zinc-200 dark:bg-zinc-800")} />
        ))}
      </div>
      <span className="w-16 text-right text-xs font-medium text-zinc-500 dark:text-zinc-400">
        <span className="sr-only">Password strength: </span>
        {LABELS[s]}
      </span>
    </div>
  );
}
