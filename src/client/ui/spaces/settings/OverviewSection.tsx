/** Overview: the space's icon (upload or remove), its name, and whether joins are announced. */
import { useEffect, useState, type ChangeEvent, type FormEvent } from "react";
import type { Space } from "../../../../shared/protocol";
import { ApiError, describeError } from "../../../api";
import { setSpaceIcon, updateSpace } from "../../../state/spacesActions";
import { useUi } from "../../../state/ui";
import { Alert } from "../../common/Alert";
import { Button } from "../../common/Button";
import { Spinner } from "../../common/icons";
import { ImageUploadButton } from "../../common/ImageUploadButton";
import { TextField } from "../../common/TextField";
import { SpaceIcon } from "../SpaceIcon";
import { SectionTitle } from "./SettingsParts";

function iconError(err: unknown): string {
  if (err instanceof ApiError && err.code === "UNSUPPORTED_MEDIA_TYPE") return "That file isn't an image we can use. Upload a PNG, JPEG, GIF or WebP.";
  if (err instanceof ApiError && err.code === "PAYLOAD_TOO_LARGE") return "That image is too big. Icons can be up to 512 KB.";
  return describeError(err);
}

export function OverviewSection({ space }: { space: Space }) {
  const toast = useUi((s) => s.toast);
  const [name, setName] = useState(space.name);
  const [nameError, setNameError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [iconBusy, setIconBusy] = useState(false);
  const [iconErr, setIconErr] = useState<string | null>(null);
  const [announcing, setAnnouncing] = useState(false);

  useEffect(() => setName(space.name), [space.name]);

  async function onRename(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setNameError("The space needs a name");
    setSaving(true);
    setNameError(null);
    try {
      await updateSpace(space.id, { name: name.trim() });
      toast("Space renamed");
    } catch (err) {
      setNameError(describeError(err));
    } finally {
      setSaving(false);
    }
  }

  async function onJoinMessages(on: boolean) {
    setAnnouncing(true);
    try {
      await updateSpace(space.id, { joinMessages: on });
      toast(on ? "New members will be announced" : "New members will join quietly");
    } catch (err) {
      toast(describeError(err), "error");
    } finally {
      setAnnouncing(false);
    }
  }

  async function onIcon(file: File | null) {
    setIconBusy(true);
    setIconErr(null);
    try {
      await setSpaceIcon(space.id, file);
      toast(file ? "Icon updated" : "Icon removed");
    } catch (err) {
      setIconErr(iconError(err));
    } finally {
      setIconBusy(false);
    }
  }

  return (
    <div className="flex flex-col gap-8">
      <section>
        <SectionTitle title="Icon">PNG, JPEG, GIF or WebP, up to 512 KB. Square images look best.</SectionTitle>
        <div className="flex flex-wrap items-center gap-4">
          <span className="relative">
            <SpaceIcon space={space} size="lg" className="rounded-3xl" />
            {iconBusy ? (
              <span className="absolute inset-0 flex items-center justify-center rounded-3xl bg-black/40 text-white">
                <Spinner className="size-5" />
              </span>
            ) : null}
          </span>
          <div className="flex flex-wrap gap-2">
            <ImageUploadButton busy={iconBusy} testId="icon-input" onFile={(file) => void onIcon(file)} />
            {space.iconUrl ? (
              <Button variant="secondary" disabled={iconBusy} onClick={() => void onIcon(null)}>
                Remove
              </Button>
            ) : null}
          </div>
        </div>
        {iconErr ? <Alert className="mt-3">{iconErr}</Alert> : null}
      </section>
      <section>
        <SectionTitle title="Name" />
        <form noValidate onSubmit={onRename} className="flex flex-col gap-3 sm:flex-row sm:items-start">
          <TextField
            label="Space name"
            name="spaceName"
            className="flex-1"
            maxLength={100}
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setNameError(null);
            }}
            error={nameError}
          />
          <Button type="submit" loading={saving} disabled={name.trim() === space.name} className="sm:mt-[1.625rem]">
            Save
          </Button>
        </form>
      </section>
      <section>
        <SectionTitle title="System messages">A line in the first text channel when someone joins through an invite.</SectionTitle>
        <label className="flex cursor-pointer items-center gap-3 text-sm text-zinc-800 dark:text-zinc-200">
          <input
            type="checkbox"
            checked={space.joinMessages}
            disabled={announcing}
            onChange={(e) => void onJoinMessages(e.target.checked)}
            className="size-4.5 shrink-0 accent-brand-600"
          />
          Announce new members
        </label>
      </section>
    </div>
  );
}
