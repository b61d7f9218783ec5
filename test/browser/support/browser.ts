import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

/**
 * The few browser globals the functions below use inside the page (page.evaluate serialises them
 * and runs them there). Declared here so the Node-side typecheck needs no DOM library.
 */
interface PageElement {
  readonly tagName: string;
  readonly id: string;
  readonly textContent: string | null;
  readonly classList: { contains(name: string): boolean };
  readonly checked?: boolean;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
}
declare const document: { readonly activeElement: PageElement | null; readonly body: PageElement; readonly fonts: { readonly ready: Promise<unknown> }; querySelector(selector: string): PageElement | null };
declare const CSS: { escape(value: string): string };
declare const window: { readonly sessionStorage: { getItem(key: string): string | null } };

/** Screenshots of every page the tests visit, kept as artifacts (tmp/ is gitignored). */
export const ARTIFACTS = resolve(__dirname, '../../../tmp/browser-artifacts');

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Debian's Chromium in a container: no sandbox, no GPU, nothing that phones home (VERSIONS-web-sql.md §2). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** AxeBuilder needs a page from browser.newContext(), never browser.newPage(). Norwegian locale and time zone, as the users have. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ locale: 'nb-NO', timezoneId: 'Europe/Oslo', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
}

/**
 * Every page a test visits: a full-page screenshot under tmp/browser-artifacts/, and axe with the
 * WCAG 2.0 and 2.1 A and AA rules, which must find nothing. The violations are listed by rule,
 * element and message so a failure says what to fix.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Aksel's and the app's fonts must have loaded before the picture and the contrast checks.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const violations = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n')}`);
  expect({ page: name, violations }).toEqual({ page: name, violations: [] });
}

/**
 * Presses Tab (or Shift+Tab) until the focused element is the one `matches` describes — the way a
 * keyboard user moves through a page. Fails after `max` presses. Only the keyboard moves the focus;
 * the check reads `document.activeElement`.
 */
export async function tabTo(page: Page, what: string, matches: (el: { tag: string; role: string | null; name: string; type: string | null; checked: boolean }) => boolean, options: { max?: number; backwards?: boolean } = {}): Promise<void> {
  const max = options.max ?? 60;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(options.backwards ? 'Shift+Tab' : 'Tab');
    const el = await focused(page);
    if (el && matches(el)) return;
  }
  throw new Error(`${what} was not reached with ${max} presses of Tab; focus is on ${JSON.stringify(await focused(page))}`);
}

export async function focused(page: Page): Promise<{ tag: string; role: string | null; name: string; type: string | null; checked: boolean } | null> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const labelled = el.getAttribute('aria-label') ?? (el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null) ?? el.closest('label')?.textContent ?? el.textContent ?? '';
    return { tag: el.tagName.toLowerCase(), role: el.getAttribute('role'), name: labelled.replace(/\s+/g, ' ').trim(), type: el.getAttribute('type'), checked: el.checked === true };
  });
}

/** Waits until the focus is on an element with this class (a result or an error the page moved the focus to). */
export async function focusMovesTo(page: Page, className: string): Promise<void> {
  await page.waitForFunction((c) => document.activeElement?.classList.contains(c) === true, className);
}

/** When the signed-in session's token expires, as the sign-in answered (the app keeps it in sessionStorage). */
export async function sessionExpiresAt(page: Page): Promise<Date> {
  const expiresAt = await page.evaluate(() => (JSON.parse(window.sessionStorage.getItem('evp.session') ?? '{}') as { expiresAt?: string }).expiresAt ?? null);
  if (!expiresAt) throw new Error('no session with expiresAt in sessionStorage');
  return new Date(expiresAt);
}

/** The text of the focused element and everything inside it. */
export async function focusedText(page: Page): Promise<string> {
  return page.evaluate(() => (document.activeElement?.textContent ?? '').replace(/\s+/g, ' ').trim());
}
