/** A read-only link with a Copy button (space invites, meeting links). */
import { useId, useRef, useState } from "react";
import { CopyIcon } from "../spaces/spaceIcons";
import { Button } from "./Button";
import { CheckIcon } from "./icons";

/** Copies `text`; without clipboard access, the selected field is copied the old way. */
export async function copyText(text: string, field?: HTMLInputElement | null): Promise<void> {
  field?.select();
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    document.execCommand?.("copy");
  }
}

/** "Copied" for two seconds after a copy. */
export function useCopied(): [boolean, (text: string, field?: HTMLInputElement | null) => Promise<void>] {
  const [copied, setCopied] = useState(false);
  const copy = async (text: string, field?: HTMLInputElement | null) => {
    await copyText(text, field);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return [copied, copy];
}

export function CopyLinkField({ label, url, placeholder, disabled, testId }: { label: string; url: string; placeholder?: string; disabled?: boolean; testId?: string }) {
  const [copied, copy] = useCopied();
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium text-zinc-700 dark:text-zinc-300">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          ref={input}
          id={id}
          readOnly
          data-autofocus
          data-testid={testId}
          value={url}
          placeholder={placeholder}
          onFocus={(e) => e.currentTarget.select()}
          className="block h-10 min-w-0 flex-1 rounded-lg border border-zinc-300 bg-zinc-50 px-3 font-mono text-[0.8125rem] text-zinc-900 focus:border-brand-500 focus:outline-none focus:ring-4 focus:ring-brand-500/15 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
        />
        <Button onClick={() => void copy(url, input.current)} disabled={!url || disabled} icon={copied ? <CheckIcon className="size-4" /> : <CopyIcon className="size-4" />} className="w-28">
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
    </div>
  );
}
