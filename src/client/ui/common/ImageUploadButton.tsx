/** "Upload image": a file picker styled as the primary button, for icons and avatars. */
import type { ChangeEvent } from "react";

export const IMAGE_TYPES = "image/png,image/jpeg,image/gif,image/webp";

export function ImageUploadButton({ busy, onFile, testId, label = "Upload image" }: { busy: boolean; onFile: (file: File) => void; testId?: string; label?: string }) {
  return (
    <label className="inline-flex h-10 cursor-pointer items-center rounded-lg bg-brand-600 px-4 text-sm font-medium text-white shadow-sm hover:bg-brand-500 has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-brand-500 has-disabled:cursor-wait has-disabled:opacity-70 dark:bg-brand-500 dark:hover:bg-brand-400">
      <input
        type="file"
        accept={IMAGE_TYPES}
        className="sr-only"
        data-testid={testId}
        disabled={busy}
        onChange={(e: ChangeEvent<HTMLInputElement>) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file) onFile(file);
        }}
      />
      {label}
    </label>
  );
}
