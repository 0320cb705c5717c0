import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Test } from 'tap';
import { waitFor } from './wait.js';

/** Debian's Chromium (.ci/run installs it with fonts-wqy-microhei); no browser is downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go for a person to look at (git-ignored). */
export const RESULTS_DIR = path.resolve('test-results');

/**
 * Starts headless Chromium for a test and closes it at teardown. A missing browser is a
 * failure, not a skip: the dashboard is only tested if the browser runs.
 */
export async function launchChromium(t: Test): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: apt-get install chromium fonts-wqy-microhei (see .ci/run)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // playwright gives every launch a fresh, empty profile directory of its own.
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
    timeout: 30_000,
  });
  t.teardown(() => browser.close());
  return browser;
}

/** A 1366×768 page (the operators' common screen) that fails the test on any page error. */
export async function newPage(t: Test, browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  t.teardown(() => ctx.close());
  const page = await ctx.newPage();
  page.on('pageerror', (err) => t.fail(`page error: ${err.message}`));
  return page;
}

/**
 * A phone-sized page (375×740 CSS px, touch, the page's own viewport meta honoured): how an
 * inspector holds the dashboard at a door (issue 16). Fails the test on any page error.
 */
export async function newPhonePage(t: Test, browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({
    viewport: { width: 375, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  t.teardown(() => ctx.close());
  const page = await ctx.newPage();
  page.on('pageerror', (err) => t.fail(`page error: ${err.message}`));
  return page;
}

/** How far the page is wider than its viewport, in CSS px (0: nothing scrolls sideways). */
export async function overflowX(page: Page): Promise<number> {
  return page.$eval('html', (el) => {
    const e = el as unknown as { scrollWidth: number; clientWidth: number };
    return e.scrollWidth - e.clientWidth;
  });
}

/** Saves a full-page screenshot as test-results/{name}.png. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Polls an attribute of the first element matching `selector` until `ok` accepts it.
 * (Not page.waitForFunction with a string: the dashboard's Content-Security-Policy
 * forbids eval, and the tests are type-checked without the DOM library.)
 */
export async function waitForAttr(
  page: Page,
  selector: string,
  attr: string,
  ok: (value: string | null) => boolean,
  timeoutMs = 20_000,
): Promise<string | null> {
  let v: string | null = null;
  await waitFor(
    async () => {
      v = await page.getAttribute(selector, attr, { timeout: timeoutMs });
      return ok(v);
    },
    { timeoutMs, everyMs: 50 },
    `${selector} [${attr}]`,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (last: ${v})`);
  });
  return v;
}

/** An account to log in with. */
export interface Login {
  user: string;
  password: string;
}

/** Logs in through the login page (the dashboard sends a caller without a session there). */
export async function logIn(page: Page, base: string, who: Login): Promise<void> {
  await page.goto(`${base}/`);
  await page.waitForURL(`${base}/login`);
  await page.fill('input[name=user]', who.user);
  await page.fill('input[name=password]', who.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('#who');
}

/** Opens a page of the dashboard and waits until it has drawn (a table or a chart by default). */
export async function openPage(
  page: Page,
  base: string,
  hash: string,
  ready = 'main table, main .chart svg',
): Promise<void> {
  await page.goto(`${base}/#/${hash}`);
  await page.waitForSelector(ready);
}
