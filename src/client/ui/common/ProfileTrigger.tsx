/** A name or avatar that opens its person's profile card: a real button, so keyboards reach it too. */
import type { ReactNode } from "react";
import type { PublicUser } from "../../../shared/protocol";
import { openProfileCard } from "../../state/profileCard";
import { cn } from "./cn";

export function ProfileTrigger({
  user,
  label,
  className,
  children,
  testId,
  skipTab = false,
}: {
  /** The profile, or only the id when the opener has no more (the card finds or fetches the rest). */
  user: PublicUser | string;
  /** Accessible name, for an avatar alone; a visible name names the button itself. */
  label?: string;
  className?: string;
  children: ReactNode;
  testId?: string;
  /** Left out of the Tab order (an avatar beside a name that opens the same card). */
  skipTab?: boolean;
}) {
  return (
    <button
      type="button"
      aria-haspopup="dialog"
      aria-label={label}
      data-testid={testId}
      tabIndex={skipTab ? -1 : undefined}
      onClick={(e) => {
        e.stopPropagation();
        openProfileCard(user, e.currentTarget);
      }}
      className={cn("min-w-0 cursor-pointer rounded-md text-left", className)}
    >
      {children}
    </button>
  );
}
