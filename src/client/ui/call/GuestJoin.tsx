/** The guest part of a room's pre-join screen: a name, and "Join as guest" with the previewed media. */
import type { FormEvent } from "react";
import { joinAsGuest, useGuest } from "../../state/guestSession";
import { joinWithPreview, usePreJoin } from "../../state/preJoin";
import { Alert } from "../common/Alert";
import { Button } from "../common/Button";
import { TextField } from "../common/TextField";
import { CallIcon } from "./callIcons";

export function GuestJoin({ slug, name, onName }: { slug: string; name: string; onName: (name: string) => void }) {
  const error = useGuest((s) => s.error);
  const joining = usePreJoin((s) => s.joining);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void joinWithPreview((media, local) => joinAsGuest(slug, name, media, local));
  };
  return (
    <form onSubmit={submit} className="flex w-full max-w-sm flex-col gap-3 text-left" aria-label="Join as a guest">
      <TextField label="Your name" name="guestName" autoComplete="name" maxLength={64} value={name} onChange={(e) => onName(e.target.value)} required />
      {error ? <Alert>{error}</Alert> : null}
      <Button type="submit" size="lg" className="rounded-full" fullWidth loading={joining} disabled={!name.trim()} icon={<CallIcon className="size-5" />}>
        Join as guest
      </Button>
    </form>
  );
}
