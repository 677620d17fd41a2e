/** "Create a space" (or join one by invite link) and "Create channel" (text or voice). */
import { useEffect, useState, type FormEvent } from "react";
import type { Channel, Space } from "../../../shared/protocol";
import { describeError } from "../../api";
import { navigate } from "../../state/router";
import { useSession } from "../../state/session";
import { firstTextChannel } from "../../state/spaces";
import { createChannel, createSpace } from "../../state/spacesActions";
import { useUi } from "../../state/ui";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { cn } from "../common/cn";
import { Dialog } from "../common/Dialog";
import { HashIcon, SpeakerIcon } from "../common/icons";
import { TextField } from "../common/TextField";
import { channelPath, inviteCodeOf } from "./spaceRoutes";

export function CreateSpaceDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const user = useSession((s) => s.user);
  const [name, setName] = useState("");
  const [link, setLink] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setName(user ? `${user.displayName}'s space` : "");
    setLink("");
    setError(null);
    setLinkError(null);
    setBusy(false);
  }, [open]);

  async function onCreate(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setError("Give your space a name");
    setBusy(true);
    setError(null);
    try {
      const space = await createSpace(name.trim());
      onClose();
      useUi.getState().setDrawerOpen(false);
      const general = firstTextChannel(space);
      navigate(general ? channelPath(space.id, general.id) : `/s/${space.id}`);
    } catch (err) {
      setBusy(false);
      setError(describeError(err));
    }
  }

  function onJoin(e: FormEvent) {
    e.preventDefault();
    const text = link.trim();
    let code: string | null = null;
    try {
      code = inviteCodeOf(new URL(text, location.origin).pathname);
    } catch {
      code = null;
    }
    if (!code && /^[A-Za-z0-9]{4,32}$/.test(text)) code = text;
    if (!code) return setLinkError("Paste an invite link like https://…/invite/AbCd2345, or just its code");
    onClose();
    useUi.getState().setDrawerOpen(false);
    navigate(`/invite/${encodeURIComponent(code)}`);
  }

  return (
    <Dialog open={open} onClose={onClose} title="Create a space" description="A space is a home for your group, with text and voice channels. You can rename it later.">
      <form noValidate onSubmit={onCreate} className="flex flex-col gap-4" data-testid="create-space-form">
        {error ? <Alert>{error}</Alert> : null}
        <TextField label="Space name" name="spaceName" maxLength={100} data-autofocus value={name} onChange={(e) => setName(e.target.value)} />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Create space
          </Button>
        </div>
      </form>
      <form noValidate onSubmit={onJoin} className="mt-6 border-t border-zinc-200 pt-5 dark:border-zinc-800">
        <h3 className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">Have an invite already?</h3>
        <div className="mt-2 flex items-start gap-2">
          <TextField
            label="Invite link"
            name="inviteLink"
            className="flex-1"
            placeholder="https://…/invite/AbCd2345"
            value={link}
            onChange={(e) => {
              setLink(e.target.value);
              setLinkError(null);
            }}
            error={linkError}
          />
          <Button type="submit" variant="secondary" className="mt-[1.625rem]">
            Join
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

const KINDS: Array<{ kind: Channel["kind"]; label: string; hint: string }> = [
  { kind: "text", label: "Text", hint: "Messages, links and opinions" },
  { kind: "voice", label: "Voice", hint: "Hang out together with voice" },
];

/** What the server will make of a text channel's name ("Game Night!" → game-night). */
function previewName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, "-").replace(/[^\p{L}\p{N}_-]/gu, "").replace(/-+/g, "-").slice(0, 100);
}

export function CreateChannelDialog({ space, initialKind, onClose }: { space: Space; initialKind: Channel["kind"]; onClose(): void }) {
  const [kind, setKind] = useState<Channel["kind"]>(initialKind);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setError("Give the channel a name");
    setBusy(true);
    setError(null);
    try {
      const channel = await createChannel(space.id, name.trim(), kind);
      onClose();
      if (channel.kind === "text") useUi.getState().setDrawerOpen(false);
      if (channel.kind === "text") navigate(channelPath(space.id, channel.id));
    } catch (err) {
      setBusy(false);
      setError(describeError(err));
    }
  }

  return (
    <Dialog open onClose={onClose} title="Create channel" description={`In ${space.name}`}>
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="create-channel-form">
        {error ? <Alert>{error}</Alert> : null}
        <fieldset>
          <legend className="text-sm font-medium text-zinc-700 dark:text-zinc-300">Channel type</legend>
          <div className="mt-1.5 flex flex-col gap-2">
            {KINDS.map((k) => (
              <label
                key={k.kind}
                className={cn(
                  "flex cursor-pointer items-center gap-3 rounded-lg px-3 py-2.5 ring-1 ring-inset transition-colors has-focus-visible:outline-2 has-focus-visible:outline-brand-500",
                  kind === k.kind ? "bg-brand-50 ring-brand-300 dark:bg-brand-500/10 dark:ring-brand-500/40" : "ring-zinc-200 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800/60",
                )}
              >
                {k.kind === "text" ? <HashIcon className="size-5 text-zinc-500" /> : <SpeakerIcon className="size-5 text-zinc-500" />}
                <span className="min-w-0 flex-1">
                  <span className="block text-sm font-medium text-zinc-900 dark:text-zinc-100">{k.label}</span>
                  <span className="block text-xs text-zinc-500 dark:text-zinc-400">{k.hint}</span>
                </span>
                <input type="radio" name="channelKind" value={k.kind} checked={kind === k.kind} onChange={() => setKind(k.kind)} className="size-4 accent-brand-600" />
              </label>
            ))}
          </div>
        </fieldset>
        <TextField
          label="Channel name"
          name="channelName"
          maxLength={100}
          data-autofocus
          placeholder={kind === "text" ? "new-channel" : "Lounge"}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setError(null);
          }}
          hint={kind === "text" && name.trim() ? `It will be called #${previewName(name) || "…"}` : undefined}
        />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Create channel
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
