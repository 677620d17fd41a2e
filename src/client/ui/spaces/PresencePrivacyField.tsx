/** "Who can see when I'm online": friends only, or friends and fellow members of my spaces. */
import { cn } from "../common/cn";

export type PresenceVisibility = "friends" | "spaces";

const CHOICES: Array<{ value: PresenceVisibility; label: string; hint: string }> = [
  { value: "friends", label: "Friends only", hint: "Everyone else sees you as offline." },
  { value: "spaces", label: "Friends and members of my spaces", hint: "People who share a space with you see your status too." },
];

export function PresencePrivacyField({ value, onChange }: { value: PresenceVisibility; onChange(v: PresenceVisibility): void }) {
  return (
    <fieldset data-testid="presence-visibility">
      <legend className="text-sm font-medium text-zinc-700 dark:text-zinc-300">Who can see when I'm online</legend>
      <div className="mt-1.5 flex flex-col gap-2">
        {CHOICES.map((c) => (
          <label
            key={c.value}
            className={cn(
              "flex cursor-pointer items-start gap-3 rounded-lg px-3 py-2.5 ring-1 ring-inset transition-colors has-focus-visible:outline-2 has-focus-visible:outline-brand-500",
              value === c.value ? "bg-brand-50 ring-brand-300 dark:bg-brand-500/10 dark:ring-brand-500/40" : "ring-zinc-200 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800/60",
            )}
          >
            <input type="radio" name="presenceVisibility" value={c.value} checked={value === c.value} onChange={() => onChange(c.value)} className="mt-0.5 size-4 accent-brand-600" />
            <span className="min-w-0">
              <span className="block text-sm font-medium text-zinc-900 dark:text-zinc-100">{c.label}</span>
              <span className="block text-xs text-zinc-500 dark:text-zinc-400">{c.hint}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
