import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Where the browser tests leave their screenshots (`test-output/` at the root is git-ignored). */
export const SCREENSHOTS = fileURLToPath(
  new URL('../../../../test-output/dashboard/', import.meta.url),
);

/** Debian's chromium, driven with the flags CI uses (and a fresh profile each time). */
const CHROMIUM = process.env['KILN_CHROMIUM'] ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with its own profile folder, removed by `close()`. */
export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page PNG under {@link SCREENSHOTS}. */
  screenshot(name: string, page?: Page): Promise<string>;
  /** Saves a PNG of one part of the page (small pictures for docs/dashboard.md). */
  part(name: string, locator: Locator): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'kiln-chromium-'));
  await mkdir(SCREENSHOTS, { recursive: true });
  // launchPersistentContext is how playwright takes a --user-data-dir
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
    acceptDownloads: true,
    timeout: 30_000,
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async screenshot(name, target = page) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await target.screenshot({ path, fullPage: true });
      return path;
    },
    async part(name, locator) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await locator.screenshot({ path });
      return path;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
