import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';

/** The system's Chromium (Debian's package); never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, as root in CI, and quiet: no GPU, no QUIC, no calls home. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a fresh profile, and a way to throw both away. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
  /** For an `exit` handler: Playwright ends the browser itself; this removes the profile. */
  discard(): void;
}

export async function launchChromium(): Promise<Browser> {
  const profileDir = mkdtempSync(join(tmpdir(), 'mailer-e2e-chromium-'));
  // Playwright passes the profile as --user-data-dir; `headless: false` keeps
  // it from adding its own headless flags, so FLAGS are exactly what runs.
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: false,
      args: FLAGS,
      viewport: { width: 1280, height: 1000 },
    });
  } catch (error) {
    rmSync(profileDir, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async close() {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
    discard() {
      try {
        rmSync(profileDir, { recursive: true, force: true });
      } catch {
        // The browser may still be writing; a leftover temp dir is harmless.
      }
    },
  };
}
