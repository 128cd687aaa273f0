// Finds the Chromium the browser tests drive (CHROMIUM_PATH, or Debian's /usr/bin/chromium) and launches it
// headless with playwright-core; --no-sandbox only when running as root (CI containers), where Chromium's sandbox
// cannot start.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium executable: CHROMIUM_PATH when set, else /usr/bin/chromium; throws with the remedy when missing. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.CHROMIUM_PATH !== undefined && env.CHROMIUM_PATH !== '' ? env.CHROMIUM_PATH : '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`Chromium not found at ${path}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  return path;
}

/** Launches headless Chromium. */
export function launchChromium(): Promise<Browser> {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: asRoot ? ['--no-sandbox'] : [] });
}
