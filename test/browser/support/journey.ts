import type { Browser, BrowserContext, Page } from 'playwright-core';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem } from '../../e2e/support/system';
import { launchChromium, newContext } from './browser';
import { startWebApp, type WebApp } from './web-app';

/** The role names as the sign-in page shows them. */
export const ROLE_LABELS = {
  accounting: 'Regnskap',
  'arrears-team': 'Husleierestanseteamet',
  'nav-adviser': 'NAV-veileder',
  landlord: 'Utleier',
  admin: 'Drift (administrator)',
} as const;

export type RoleKey = keyof typeof ROLE_LABELS;

/**
 * One test file's world: the real api and worker (TestSystem), the web app the api serves, and
 * Chromium. Each test gets a fresh browser context (its own sessionStorage) from `page()`.
 */
export class BrowserJourney {
  readonly system: TestSystem;
  app!: WebApp;
  browser!: Browser;
  private readonly contexts: BrowserContext[] = [];

  constructor(env: Record<string, string> = {}) {
    this.system = new TestSystem(env);
  }

  async start(): Promise<void> {
    await this.system.start();
    [this.app, this.browser] = await Promise.all([startWebApp(this.system), launchChromium()]);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.contexts.map((c) => c.close()));
    await this.browser?.close();
    await this.system.stop();
  }

  /** A page in a fresh context; the previous test's context is closed first (one page at a time, like a person). */
  async page(): Promise<Page> {
    await Promise.allSettled(this.contexts.splice(0).map((c) => c.close()));
    const context = await newContext(this.browser);
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  }

  url(path: string): string {
    return `${this.app.origin}${path}`;
  }

  /** Signs in through the development sign-in page, as a person would, and waits for the role's start page. */
  async signIn(page: Page, role: RoleKey, options: { municipality?: string; navOffice?: string; landlordId?: string; from?: string } = {}): Promise<void> {
    await page.goto(this.url(options.from ?? '/logg-inn'));
    await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    await page.getByRole('radio', { name: ROLE_LABELS[role], exact: true }).check();
    await page.getByRole('textbox', { name: 'Kommunenummer' }).fill(options.municipality ?? '5035');
    if (role === 'nav-adviser') await page.getByRole('textbox', { name: 'NAV-kontor' }).fill(options.navOffice ?? 'nav-stjordal');
    if (role === 'landlord') await page.getByRole('textbox', { name: 'Utleier-id' }).fill(options.landlordId ?? 'enhet-bygg');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/logg-inn'));
  }
}

const TENANCY_HEADER = 'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn';
export const POSTING_HEADER = 'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop';

/** A tenancy file with synthetic identity numbers only (@evp/shared-kernel). */
export function tenancyFile(rows: ReadonlyArray<{ id: string; address: string; rent: string; office?: string; name: string }>, seed: number): string {
  const ids = syntheticNationalIds(rows.length, seed);
  return [TENANCY_HEADER, ...rows.map((r, i) => `5035;${r.id};${r.address};${r.rent};kommunal;${r.office ?? 'nav-stjordal'};${ids[i] as string};${r.name}`)].join('\n') + '\n';
}

export function postingFile(lines: readonly string[]): string {
  return [POSTING_HEADER, ...lines].join('\n') + '\n';
}
