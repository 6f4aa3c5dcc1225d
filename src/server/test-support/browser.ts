/**
 * Browser-test helpers: Debian's chromium driven by playwright-core (never a downloaded
 * browser), the flags that work on this kind of machine (DEPENDENCIES.md), and a fresh build of
 * the dashboard into a temp directory so the tests always see the current web/ source.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.DISTILLGUARD_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Set to 1 to skip the browser tests where no chromium can be installed (CI always runs them). */
export const SKIP_BROWSER = process.env.DISTILLGUARD_SKIP_BROWSER === '1';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no chromium at ${CHROMIUM}: install it (apt-get install -y chromium), point DISTILLGUARD_CHROMIUM at one, ` +
        'or set DISTILLGUARD_SKIP_BROWSER=1',
    );
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Builds web/ into a fresh temp directory (a few seconds) and returns it. */
export async function buildWeb(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'dg-web-'));
  const { build } = await import('vite');
  await build({
    configFile: join(ROOT, 'web', 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: out, emptyOutDir: true },
  });
  return out;
}

/** The screenshot directory, git-ignored by a .gitignore of its own. */
export function screenshotDir(): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, '..', '.gitignore'), '*\n');
  return SCREENSHOTS;
}
