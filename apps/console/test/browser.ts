import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.POND_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser tests can run here; CI sets POND_REQUIRE_BROWSER=1 so they never skip. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.POND_REQUIRE_BROWSER === '1') {
    throw new Error(
      `POND_REQUIRE_BROWSER=1 but there is no browser at ${CHROMIUM} (apt-get install chromium)`,
    );
  }
  console.warn(`[pond] skipping browser tests: no Chromium at ${CHROMIUM}`);
  return false;
}

/** Debian's Chromium, headless, without the background traffic a closed network refuses. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
