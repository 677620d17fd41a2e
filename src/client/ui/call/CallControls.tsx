/**
 * The control bar: mic, camera, screen share, chat, people (add, list), reactions, record, devices, picture-in-picture, hang up.
 * A group call on a phone moves screen share, add, record, picture-in-picture and end-for-all into "More options".
 */
import { hangUp, currentCall, useCall } from "../../state/call";
import { endForAll } from "../../state/callHost";
import {
  ChatBubbleIcon,
  HangUpIcon,
  MicIcon,
  MicOffIcon,
  PipIcon,
  RecordIcon,
  ScreenShareIcon,
  StopIcon,
  VideoIcon,
  VideoOffIcon,
  EndAllIcon,
} from "./callIcons";
import { UsersIcon } from "../common/icons";
import { AddPeopleMenu } from "./AddPeopleMenu";
import { DevicesMenu } from "./DevicesMenu";
import { MoreMenu } from "./MoreMenu";
import { ReactionsMenu } from "./ReactionsMenu";
import { RoundButton } from "./RoundButton";

const canShareScreen = () => typeof navigator !== "undefined" && !!navigator.mediaDevices && "getDisplayMedia" in navigator.mediaDevices;

export function CallControls({ onPip, pipAvailable }: { onPip: () => void; pipAvailable: boolean }) {
  const local = useCall((s) => s.local);
  const chatOpen = useCall((s) => s.chatOpen);
  const unread = useCall((s) => s.chatUnread);
  const recording = useCall((s) => s.recording.status);
  const peopleOpen = useCall((s) => s.peopleOpen);
  const people = useCall((s) => Object.keys(s.participants).length + 1);
  // Raised hands of others: their tiles show them, but a tile may be on another page of the grid.
  const hands = useCall((s) => Object.keys(s.participants).filter((id) => s.roster[id]?.handRaised).length);
  // Hands, reactions and the roster need the server's group call state.
  const group = useCall((s) => s.version > 0 && s.callKind !== "dm");
  const hosting = useCall((s) => s.host !== null);
  // 1:1 and group DM calls ring people in; voice channels and rooms are joined by themselves.
  const ringable = useCall((s) => s.callKind !== "voice" && s.callKind !== "room");

  const toggleChat = () => useCall.setState({ chatOpen: !chatOpen, chatUnread: 0, peopleOpen: false });
  const togglePeople = () => useCall.setState({ peopleOpen: !peopleOpen, chatOpen: false });
  const toggleScreen = () => (local.screen ? currentCall()?.stopScreenShare() : void currentCall()?.startScreenShare());
  const toggleRecording = () => {
    if (recording === "recording") void currentCall()?.stopRecording();
    else currentCall()?.startRecording();
  };

  return (
    <div role="group" aria-label="Call controls" className="flex items-center justify-center gap-1.5 px-1.5 sm:gap-3">
      <RoundButton
        label={local.audio ? "Mute microphone" : "Unmute microphone"}
        tone={local.audio ? "neutral" : "off"}
        onClick={() => currentCall()?.setMicrophone(!local.audio)}
      >
        {local.audio ? <MicIcon /> : <MicOffIcon />}
      </RoundButton>
      <RoundButton
        label={local.video ? "Turn off camera" : "Turn on camera"}
        tone={local.video ? "neutral" : "off"}
        onClick={() => void currentCall()?.setCamera(!local.video)}
      >
        {local.video ? <VideoIcon /> : <VideoOffIcon />}
      </RoundButton>
      {canShareScreen() ? (
        <RoundButton
          label={local.screen ? "Stop sharing" : "Share screen"}
          tone={local.screen ? "active" : "neutral"}
          className={group ? "max-sm:hidden" : undefined}
          onClick={toggleScreen}
        >
          <ScreenShareIcon />
        </RoundButton>
      ) : null}
      <RoundButton label={chatOpen ? "Close chat" : "Open chat"} tone={chatOpen ? "active" : "neutral"} badge={chatOpen ? 0 : unread} onClick={toggleChat}>
        <ChatBubbleIcon />
      </RoundButton>
      {group || people > 2 ? (
        <RoundButton label={peopleOpen ? "Hide participants" : "Show participants"} tone={peopleOpen ? "active" : "neutral"} badge={peopleOpen ? 0 : hands} onClick={togglePeople}>
          <UsersIcon />
        </RoundButton>
      ) : null}
      {ringable ? <AddPeopleMenu className={group ? "relative max-sm:hidden" : undefined} /> : null}
      {group ? <ReactionsMenu /> : null}
      <RoundButton
        className={group ? "max-sm:hidden" : undefined}
        label={recording === "recording" ? "Stop recording" : "Start recording"}
        tone={recording === "recording" ? "off" : "neutral"}
        disabled={recording === "saving"}
        onClick={toggleRecording}
      >
        {recording === "recording" ? <StopIcon /> : <RecordIcon />}
      </RoundButton>
      <DevicesMenu />
      {pipAvailable ? (
        <RoundButton label="Picture in picture" className={group ? "max-sm:hidden" : undefined} onClick={onPip}>
          <PipIcon />
        </RoundButton>
      ) : null}
      {group ? (
        <MoreMenu
          ringable={ringable}
          screen={canShareScreen() ? { sharing: local.screen, toggle: toggleScreen } : undefined}
          recording={recording}
          onRecording={toggleRecording}
          onPip={pipAvailable ? onPip : undefined}
          onEndForAll={hosting ? () => void endForAll() : undefined}
        />
      ) : null}
      {hosting ? (
        <RoundButton label="End call for all" tone="danger" className="max-sm:hidden" onClick={() => void endForAll()}>
          <EndAllIcon />
        </RoundButton>
      ) : null}
      <RoundButton label="Hang up" tone="danger" wide onClick={() => void hangUp()}>
        <HangUpIcon className="size-6" />
      </RoundButton>
    </div>
  );
}
