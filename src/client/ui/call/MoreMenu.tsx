/**
 * "More options" on a phone in a group call: the controls the narrow bar leaves out (screen share,
 * add people, recording, picture-in-picture, end for all), as Meet's overflow menu does.
 */
import { useState, type ReactNode } from "react";
import type { RecordingState } from "../../rtc/types";
import { MoreIcon, UserPlusIcon } from "../common/chatIcons";
import { AddPeopleList, POPOVER } from "./AddPeopleMenu";
import { EndAllIcon, PipIcon, RecordIcon, ScreenShareIcon, StopIcon } from "./callIcons";
import { RoundButton } from "./RoundButton";
import { usePopover } from "./usePopover";

interface Props {
  ringable: boolean;
  screen?: { sharing: boolean; toggle: () => void };
  recording: RecordingState["status"];
  onRecording: () => void;
  onPip?: () => void;
  onEndForAll?: () => void;
}

function Item({ icon, label, onClick, danger, disabled }: { icon: ReactNode; label: string; onClick: () => void; danger?: boolean; disabled?: boolean }) {
  return (
    <button
      type="button"
      role="menuitem"
      disabled={disabled}
      onClick={onClick}
      className={`flex w-full items-center gap-3 rounded-xl px-3 py-2.5 text-left text-sm hover:bg-white/10 disabled:opacity-50 ${danger ? "text-red-400" : ""}`}
    >
      {icon}
      {label}
    </button>
  );
}

export function MoreMenu({ ringable, screen, recording, onRecording, onPip, onEndForAll }: Props) {
  const { open, setOpen, root } = usePopover();
  const [adding, setAdding] = useState(false);
  const close = () => {
    setOpen(false);
    setAdding(false);
  };
  const run = (f: () => void) => () => {
    close();
    f();
  };
  return (
    <div ref={root} className="relative sm:hidden" onKeyDown={(e) => e.key === "Escape" && close()}>
      <RoundButton label="More options" tone={open ? "active" : "neutral"} aria-haspopup="menu" aria-expanded={open} onClick={() => (open ? close() : setOpen(true))}>
        <MoreIcon />
      </RoundButton>
      {open ? (
        <div role="menu" aria-label={adding ? "Add people" : "More options"} className={`${POPOVER} right-0 w-64`}>
          {adding ? (
            <AddPeopleList onDone={close} />
          ) : (
            <>
              {screen ? <Item icon={<ScreenShareIcon className="size-5" />} label={screen.sharing ? "Stop sharing" : "Share screen"} onClick={run(screen.toggle)} /> : null}
              {ringable ? <Item icon={<UserPlusIcon className="size-5" />} label="Add people" onClick={() => setAdding(true)} /> : null}
              <Item
                icon={recording === "recording" ? <StopIcon className="size-5" /> : <RecordIcon className="size-5" />}
                label={recording === "recording" ? "Stop recording" : "Start recording"}
                disabled={recording === "saving"}
                onClick={run(onRecording)}
              />
              {onPip ? <Item icon={<PipIcon className="size-5" />} label="Picture in picture" onClick={run(onPip)} /> : null}
              {onEndForAll ? <Item icon={<EndAllIcon className="size-5" />} label="End call for all" danger onClick={run(onEndForAll)} /> : null}
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}
