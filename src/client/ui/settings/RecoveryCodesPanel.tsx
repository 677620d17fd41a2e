/** The recovery codes, shown once: copy or download them, then confirm they are saved. */
import { Button } from "../common/Button";
import { useCopied } from "../common/CopyLinkField";
import { CheckIcon } from "../common/icons";
import { CopyIcon } from "../spaces/spaceIcons";

export function RecoveryCodesPanel({ codes, onDone }: { codes: string[]; onDone(): void }) {
  const [copied, copy] = useCopied();
  const text = codes.join("\n") + "\n";

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const a = Object.assign(document.createElement("a"), { href: url, download: `parley-recovery-codes-${location.hostname}.txt` });
    a.click();
    URL.revokeObjectURL(url);
  }

  return (
    <div className="flex flex-col gap-4" data-testid="recovery-codes">
      <div>
        <h3 className="text-sm font-semibold">Save your recovery codes</h3>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          If you lose your phone, each of these codes signs you in once instead of a code from the app. Keep them somewhere safe — this is the only
          time they are shown.
        </p>
      </div>
      <ol className="grid grid-cols-2 gap-x-6 gap-y-1.5 rounded-lg bg-zinc-50 px-5 py-4 font-mono text-sm text-zinc-800 ring-1 ring-inset ring-zinc-200 dark:bg-zinc-950 dark:text-zinc-200 dark:ring-zinc-800">
        {codes.map((c) => (
          <li key={c} data-testid="recovery-code">
            {c}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" icon={copied ? <CheckIcon className="size-4" /> : <CopyIcon className="size-4" />} onClick={() => void copy(text)}>
          {copied ? "Copied" : "Copy"}
        </Button>
        <Button variant="secondary" onClick={download}>
          Download
        </Button>
        <Button className="sm:ml-auto" onClick={onDone} data-testid="recovery-codes-done">
          I've saved them
        </Button>
      </div>
    </div>
  );
}
