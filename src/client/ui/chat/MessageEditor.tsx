/** Editing a message in place: Enter saves, Shift+Enter breaks the line, Escape cancels. */
import { useEffect, useRef, useState } from "react";
import { MAX_MESSAGE_LENGTH, type Message } from "../../../shared/protocol";
import { editMessage } from "../../state/messageExtras";
import { useEditing } from "./DeleteMessage";

export function MessageEditor({ message }: { message: Message }) {
  const [text, setText] = useState(message.content);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const close = () => useEditing.setState({ messageId: null });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 320)}px`;
  }, [text]);

  async function save() {
    if (saving) return;
    if (text.trim() === "") return setError("A message can't be empty — delete it instead");
    if (text === message.content) return close();
    setSaving(true);
    try {
      await editMessage(message, text);
      close();
    } catch (err) {
      setError((err as Error).message || "Could not save");
      setSaving(false);
    }
  }

  return (
    <div className="mt-0.5">
      <textarea
        ref={box}
        data-testid="edit-box"
        dir="auto"
        value={text}
        maxLength={MAX_MESSAGE_LENGTH}
        aria-label="Edit message"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            close();
          } else if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void save();
          }
        }}
        className="block w-full resize-none rounded-lg bg-zinc-100 px-3 py-2 text-[0.9375rem] leading-[1.375rem] text-zinc-900 ring-1 ring-inset ring-zinc-200 outline-none focus:ring-brand-500 dark:bg-zinc-800 dark:text-zinc-100 dark:ring-zinc-700"
      />
      <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
        escape to{" "}
        <button type="button" onClick={close} className="font-medium text-brand-600 hover:underline dark:text-brand-400">
          cancel
        </button>{" "}
        · enter to{" "}
        <button type="button" onClick={() => void save()} className="font-medium text-brand-600 hover:underline dark:text-brand-400">
          save
        </button>
        {error ? <span role="alert" className="ml-2 text-red-600 dark:text-red-400">{error}</span> : null}
      </p>
    </div>
  );
}
