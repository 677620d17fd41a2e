/** Edit display name, avatar URL and who sees your presence (PATCH /api/users/me). */
import { useEffect, useState, type FormEvent } from "react";
import { UpdateMeBody } from "../../../shared/protocol";
import { ApiError, describeError } from "../../api";
import { useSession } from "../../state/session";
import { useUi } from "../../state/ui";
import { Alert } from "../common/Alert";
import { Avatar } from "../common/Avatar";
import { Button } from "../common/Button";
import { Dialog } from "../common/Dialog";
import { TextField } from "../common/TextField";
import { PresencePrivacyField, type PresenceVisibility } from "../spaces/PresencePrivacyField";

type Errors = { displayName?: string; avatarUrl?: string };

export function EditProfileDialog() {
  const open = useUi((s) => s.profileOpen);
  const setOpen = useUi((s) => s.setProfileOpen);
  const toast = useUi((s) => s.toast);
  const user = useSession((s) => s.user);
  const updateProfile = useSession((s) => s.updateProfile);
  const [displayName, setDisplayName] = useState("");
  const [avatarUrl, setAvatarUrl] = useState("");
  const [visibility, setVisibility] = useState<PresenceVisibility>("friends");
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open || !user) return;
    setDisplayName(user.displayName);
    setAvatarUrl(user.avatarUrl ?? "");
    setVisibility(user.presenceVisibility ?? "friends");
    setErrors({});
    setFormError(null);
    setBusy(false);
  }, [open]); // reset only when (re)opened

  if (!user) return null;

  const preview = avatarUrl.trim() && /^https?:\/\//i.test(avatarUrl.trim()) ? avatarUrl.trim() : null;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!user) return;
    setFormError(null);
    const patch: UpdateMeBody = {};
    if (displayName.trim() !== user.displayName) patch.displayName = displayName;
    const nextAvatar = avatarUrl.trim() || null;
    if (nextAvatar !== user.avatarUrl) patch.avatarUrl = nextAvatar;
    if (visibility !== (user.presenceVisibility ?? "friends")) patch.presenceVisibility = visibility;

    if (!displayName.trim()) return setErrors({ displayName: "Display name can't be empty" });
    const parsed = UpdateMeBody.safeParse(patch);
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path[0];
        if (key === "displayName") next.displayName ??= issue.code === "too_big" ? "At most 64 characters" : issue.message;
        if (key === "avatarUrl") next.avatarUrl ??= "Enter a full http:// or https:// image URL";
      }
      return setErrors(next);
    }
    if (Object.keys(patch).length === 0) return setOpen(false);

    setBusy(true);
    try {
      await updateProfile(parsed.data);
      setOpen(false);
      toast("Profile updated");
    } catch (err) {
      setBusy(false);
      const fields = err instanceof ApiError ? err.fieldErrors : {};
      if (fields.displayName || fields.avatarUrl) setErrors({ displayName: fields.displayName, avatarUrl: fields.avatarUrl });
      else setFormError(describeError(err));
    }
  }

  return (
    <Dialog open={open} onClose={() => setOpen(false)} title="Edit profile" description="This is how others see you across Parley.">
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="edit-profile-form">
        {formError ? <Alert>{formError}</Alert> : null}
        <div className="flex items-center gap-4 rounded-xl bg-zinc-50 p-3 ring-1 ring-inset ring-zinc-200/70 dark:bg-zinc-800/50 dark:ring-zinc-700/50">
          <Avatar name={displayName.trim() || user.username} seed={user.id} src={preview} size="lg" />
          <div className="min-w-0">
            <p className="truncate font-semibold">{displayName.trim() || user.username}</p>
            <p className="truncate text-sm text-zinc-500 dark:text-zinc-400">@{user.username}</p>
          </div>
        </div>
        <TextField
          label="Display name"
          name="displayName"
          maxLength={64}
          data-autofocus
          value={displayName}
          onChange={(e) => {
            setDisplayName(e.target.value);
            setErrors((x) => ({ ...x, displayName: undefined }));
          }}
          error={errors.displayName}
        />
        <TextField
          label="Avatar URL"
          name="avatarUrl"
          type="url"
          inputMode="url"
          placeholder="https://example.com/me.png"
          value={avatarUrl}
          onChange={(e) => {
            setAvatarUrl(e.target.value);
            setErrors((x) => ({ ...x, avatarUrl: undefined }));
          }}
          error={errors.avatarUrl}
          hint="Link to an image. Leave empty to use your initials."
        />
        <PresencePrivacyField value={visibility} onChange={setVisibility} />
        <div className="mt-2 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" onClick={() => setOpen(false)}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Save changes
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
