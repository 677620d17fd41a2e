/** Line icons for calls (same style as common/icons.tsx). */
import { Icon, type IconProps } from "../common/icons";


const HANDSET = "M5 4h3.5l1.6 4-2.1 1.3a11 11 0 0 0 6.7 6.7l1.3-2.1 4 1.6V19a1.5 1.5 0 0 1-1.5 1.5A16.5 16.5 0 0 1 3.5 5.5 1.5 1.5 0 0 1 5 4Z";

export const CallIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d={HANDSET} />
  </Icon>
);
export const HangUpIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M3.2 14.6a2 2 0 0 1-.2-2.7C5.3 9.4 8.5 8 12 8s6.7 1.4 9 3.9a2 2 0 0 1-.2 2.7l-1.5 1.3a1.5 1.5 0 0 1-2-.1l-1.6-1.7.3-2.5a10 10 0 0 0-8 0l.3 2.5-1.6 1.7a1.5 1.5 0 0 1-2 .1Z" />
  </Icon>
);
export const VideoIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="2.5" y="6" width="13" height="12" rx="2.5" />
    <path d="m15.5 10.5 6-3.5v10l-6-3.5" />
  </Icon>
);
export const VideoOffIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M9 6h4a2.5 2.5 0 0 1 2.5 2.5V12m0 3.5A2.5 2.5 0 0 1 13 18H5a2.5 2.5 0 0 1-2.5-2.5v-7A2.5 2.5 0 0 1 4.6 6" />
    <path d="m15.5 10.5 6-3.5v10l-3.4-2" />
    <path d="m3 3 18 18" />
  </Icon>
);
export const MicIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="9" y="2.5" width="6" height="12" rx="3" />
    <path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5v4" />
  </Icon>
);
export const MicOffIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M15 9.5V5.5a3 3 0 0 0-5.8-1.1M9 9v2.5a3 3 0 0 0 4.6 2.5" />
    <path d="M5.5 11a6.5 6.5 0 0 0 10.4 5.2M18.4 12.6c.1-.5.1-1 .1-1.6M12 17.5v4" />
    <path d="m3 3 18 18" />
  </Icon>
);
export const ScreenShareIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="2.5" y="4" width="19" height="13" rx="2" />
    <path d="M8 21h8M12 17v4M12 13.5V7.5M9.3 10 12 7.3l2.7 2.7" />
  </Icon>
);
export const ChatBubbleIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M20.5 12a8.5 8.5 0 0 1-12.4 7.5L3.5 20.5l1-4.3A8.5 8.5 0 1 1 20.5 12Z" />
  </Icon>
);
export const RecordIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="8.5" />
    <circle cx="12" cy="12" r="3.5" fill="currentColor" />
  </Icon>
);
export const StopIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="6.5" y="6.5" width="11" height="11" rx="2" fill="currentColor" />
  </Icon>
);
export const SettingsIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0" />
    <circle cx="16" cy="6" r="2" />
    <circle cx="10" cy="12" r="2" />
    <circle cx="18" cy="18" r="2" />
  </Icon>
);
export const PipIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="2.5" y="4.5" width="19" height="15" rx="2" />
    <rect x="12" y="11" width="7" height="6" rx="1" fill="currentColor" stroke="none" />
  </Icon>
);
export const DownloadIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M12 3.5v12M7 11l5 5 5-5M4.5 20.5h15" />
  </Icon>
);
export const SendIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M4 12 20.5 4l-5 16.5-3.5-7Z" />
    <path d="m12 13.5 8.5-9.5" />
  </Icon>
);
export const PinIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M9 3.5h6l-1 5 3.5 3.5v1.5h-11V12L10 8.5Z" />
    <path d="M12 13.5V21" />
  </Icon>
);
export const HandIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M8 12V5.5a1.5 1.5 0 0 1 3 0V11m0-6.5a1.5 1.5 0 0 1 3 0V11m0-5a1.5 1.5 0 0 1 3 0v7.5a7 7 0 0 1-7 7h-.5a6.5 6.5 0 0 1-5.2-2.6L3.6 14a1.5 1.5 0 0 1 2.3-1.9L8 14" />
  </Icon>
);
export const SmileIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="9" />
    <path d="M8.5 14.5a4.5 4.5 0 0 0 7 0M9 9.5h.01M15 9.5h.01" />
  </Icon>
);
/** Ending the call for everyone: the handset down, with people behind it. */
export const EndAllIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M3.2 17.6a2 2 0 0 1-.2-2.7C5.3 12.4 8.5 11 12 11s6.7 1.4 9 3.9a2 2 0 0 1-.2 2.7l-1.5 1.3a1.5 1.5 0 0 1-2-.1l-1.6-1.7.3-2.5a10 10 0 0 0-8 0l.3 2.5-1.6 1.7a1.5 1.5 0 0 1-2 .1Z" />
    <circle cx="8" cy="5" r="2" />
    <circle cx="16" cy="5" r="2" />
  </Icon>
);
