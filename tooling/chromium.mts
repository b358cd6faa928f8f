import { existsSync } from "node:fs";

// The browser every browser test drives: Debian's Chromium (playwright cannot download its own here; CI installs
// it with apt-get). One list of flags: without the background-networking ones Chromium keeps dialling hosts this
// machine cannot reach.
export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium: boolean = existsSync(CHROMIUM);
export const CHROMIUM_ARGS: string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why a browser test skipped, for its warning line. */
export const chromiumMissing = (what: string): string =>
  `${CHROMIUM} not found: install it (apt-get install -y chromium) to ${what}`;
