/** The top of a text channel's history. */
import { HashIcon } from "../common/icons";

export function ChannelBeginning({ name }: { name: string }) {
  return (
    <div className="px-4 pb-2 pt-8 sm:px-6" data-testid="channel-beginning">
      <span className="flex size-16 items-center justify-center rounded-full bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
        <HashIcon className="size-9" />
      </span>
      <h2 className="mt-3 text-2xl font-bold tracking-tight text-zinc-900 dark:text-white">Welcome to #{name}!</h2>
      <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">This is the start of the #{name} channel.</p>
    </div>
  );
}
