/**
 * The dashboard in a real browser (Debian chromium via playwright-core): an analyst logs in, opens
 * a campaign, confirms it and sees the audit entry; an account, the alerts feed (a new alert
 * arrives live), search and the audit journal are shown; a viewer never receives raw prompt text.
 * Screenshots of each view go to test-artifacts/screenshots/ (git-ignored). No CSP violation and
 * no page error may occur on the way.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignList, Samples } from './api-types.js';
import { type RunningServer, startServer } from './index.js';
import { buildWeb, launchChromium, SKIP_BROWSER, screenshotDir } from './test-support/browser.js';
import {
  alertLine,
  buildFixture,
  type Fixture,
  fixtureServerOptions,
  PASSWORDS,
} from './test-support/fixture.js';

/** A view is ready when its root says so (data loaded; a campaign's graph is drawn after, and
 * says so in data-graph-ready). */
const READY_MS = 20_000;

let fx: Fixture;
let server: RunningServer;
let browser: Browser;
let shots: string;
const problems: string[] = [];

beforeAll(async () => {
  if (SKIP_BROWSER) return;
  const [f, web] = await Promise.all([buildFixture(), buildWeb()]);
  fx = f;
  server = await startServer({ ...(await fixtureServerOptions(fx)), webRoot: web, log: () => {} });
  browser = await launchChromium();
  shots = screenshotDir();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  fx?.remove();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('console', (m) => {
    // The session probe before login answers 401 by design; anything else logged as an error counts.
    const expected = /status of 401/.test(m.text());
    if ((m.type() === 'error' && !expected) || /Content.Security.Policy/i.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return page;
}

async function login(page: Page, user: keyof typeof PASSWORDS, shot?: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForSelector('[data-view=login]');
  if (shot !== undefined) await page.screenshot({ path: join(shots, shot) });
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', PASSWORDS[user]);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-view=campaigns][data-ready=true]', { timeout: READY_MS });
}

async function ready(page: Page, view: string): Promise<void> {
  await page.waitForSelector(`[data-view=${view}][data-ready=true]`, { timeout: READY_MS });
}

describe.skipIf(SKIP_BROWSER)('dashboard in chromium', () => {
  it('analyst: log in, open a campaign, confirm it, see the audit entry; every view renders', async () => {
    const page = await newPage();
    await login(page, 'analyst', 'login.png');
    await page.screenshot({ path: join(shots, 'campaigns.png'), fullPage: true });

    await page.click('[data-testid=campaign-table] tbody tr:first-child a');
    await ready(page, 'campaign');
    await page.waitForSelector('[data-view=campaign][data-graph-ready=true]', { timeout: READY_MS });
    await page.waitForSelector('.graph canvas');
    await page.screenshot({ path: join(shots, 'campaign.png'), fullPage: true });

    await page.fill(
      '[data-testid=decisions] textarea[name=reason]',
      'same CoT template and payment instrument',
    );
    await page.click('[data-testid=decisions] button:has-text("Confirm campaign")');
    const row = page.locator('[data-testid=audit] tbody tr').first();
    await row.waitFor({ timeout: READY_MS });
    expect((await row.textContent()) ?? '').toMatch(
      /analyst[\s\S]*status:[\s\S]*confirmed[\s\S]*same CoT template/,
    );
    const id = ((await page.locator('h1').textContent()) ?? '').split(' ')[1] ?? '';
    expect(server.deps.journal.decisions({ kind: 'campaign', id }).status).toBe('confirmed');
    await page.screenshot({ path: join(shots, 'campaign-confirmed.png') });

    await page.click('table.members tbody tr:first-child a');
    await ready(page, 'account');
    await page.screenshot({ path: join(shots, 'account.png'), fullPage: true });

    await page.goto(`${server.url}/#/alerts`);
    await ready(page, 'alerts');
    appendFileSync(fx.alerts, alertLine({ account_id: 'org_live_alert', campaign_id: null }));
    await server.deps.alerts.poll();
    await page.waitForSelector('[data-testid=alerts] >> text=org_live_alert', { timeout: READY_MS });
    await page.screenshot({ path: join(shots, 'alerts.png'), fullPage: true });

    const list = (await (await page.request.get(`${server.url}/api/campaigns`)).json()) as CampaignList;
    expect(list.items.length).toBeGreaterThan(0);
    const detail = (await (await page.request.get(`${server.url}/api/campaigns/${id}`)).json()) as {
      indicators: Record<string, string[]>;
    };
    const template = detail.indicators.prompt_template?.[0] ?? 'head: x';
    await page.goto(`${server.url}/#/search?kind=template&q=${encodeURIComponent(template)}`);
    await ready(page, 'search');
    await page.waitForSelector('[data-testid=hits] tbody tr');
    await page.screenshot({ path: join(shots, 'search.png'), fullPage: true });

    await page.goto(`${server.url}/#/audit`);
    await ready(page, 'audit');
    expect((await page.locator('[data-testid=audit]').textContent()) ?? '').toContain('confirmed');
    await page.screenshot({ path: join(shots, 'audit.png'), fullPage: true });
    await page.close();
    expect(problems, problems.join('\n')).toEqual([]);
  }, 60_000);

  it('admin: manages users in the Admin view; a new user gets a password shown once', async () => {
    const page = await newPage();
    await login(page, 'admin');
    await page.goto(`${server.url}/#/admin`);
    await ready(page, 'admin');
    await page.fill('input[name=name]', 'dora');
    await page.selectOption('select[name=role]', 'viewer');
    await page.click('button:has-text("Add user")');
    const secret = (await page.locator('[data-testid=secret]').textContent()) ?? '';
    expect(secret).toMatch(/password of dora: \S{12,}/);
    await page.screenshot({ path: join(shots, 'admin.png'), fullPage: true });
    await page.close();
    expect(problems, problems.join('\n')).toEqual([]);
  }, 60_000);

  it('viewer: sees templates and fingerprints, never raw prompt text, and no decision controls', async () => {
    // The raw prompts of the first campaign, as an analyst would see them.
    const analyst = await newPage();
    await login(analyst, 'analyst');
    const list = (await (await analyst.request.get(`${server.url}/api/campaigns`)).json()) as CampaignList;
    const id = list.items[0]?.campaign_id ?? '';
    const raw = (await (
      await analyst.request.get(`${server.url}/api/campaigns/${id}/samples`)
    ).json()) as Samples;
    const prompts = raw.items.map((s) => s.prompt).filter((p): p is string => p !== null && p.length > 160);
    expect(prompts.length).toBeGreaterThan(0);
    await analyst.close();

    const page = await newPage();
    const bodies: Promise<string>[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/')) bodies.push(r.text().catch(() => ''));
    });
    await login(page, 'viewer');
    await page.goto(`${server.url}/#/campaign/${encodeURIComponent(id)}`);
    await ready(page, 'campaign');
    await page.waitForSelector('[data-testid=redacted-notice]');
    await page.screenshot({ path: join(shots, 'campaign-viewer.png'), fullPage: true });
    expect(await page.locator('[data-testid=decisions] button').count()).toBe(0);
    await page.click('table.members tbody tr:first-child a');
    await ready(page, 'account');
    await page.waitForSelector('[data-testid=exchanges] tbody tr');
    const html = await page.content();
    const seen = (await Promise.all(bodies)).join('\n');
    // Viewers get the template (the first 8 normalised tokens) and the fingerprint: the rest of
    // the prompt must appear nowhere, neither on the page nor in any API reply.
    for (const p of prompts) {
      const probe = p.slice(-40);
      expect(html.includes(probe)).toBe(false);
      expect(seen.includes(JSON.stringify(probe).slice(1, -1))).toBe(false);
    }
    await page.close();
    expect(problems, problems.join('\n')).toEqual([]);
  }, 60_000);
});
