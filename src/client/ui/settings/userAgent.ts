/** A readable "Browser on OS" for a session's User-Agent string. */
export interface DeviceInfo {
  label: string;
  mobile: boolean;
}

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\/|FxiOS/, "Firefox"],
  [/Chrom(e|ium)\/|CriOS/, "Chrome"],
  [/Safari\//, "Safari"],
  [/curl\//, "curl"],
  [/Bun\//, "Bun"],
  [/node|undici/i, "Node.js"],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/iPhone|iPad|iPod/, "iOS"],
  [/Android/, "Android"],
  [/CrOS/, "ChromeOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

export function describeDevice(ua: string): DeviceInfo {
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const os = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  const headless = /Headless/.test(ua) ? " (headless)" : "";
  const label = browser && os ? `${browser}${headless} on ${os}` : (browser ?? os ?? (ua.trim() ? "Unknown device" : "Unknown device"));
  return { label, mobile: /Mobi|iPhone|Android/.test(ua) };
}
