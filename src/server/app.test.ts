/**
 * The API in-process (`app.request()`), on a small simulated store hunted in the test: every
 * route for every role, authentication, CSRF, security headers, validation errors (field and
 * reason), redaction of prompt text for viewers, the audit journal and feedback.json, the alert
 * feed, and logs free of secrets and prompts.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainEvidence } from '../explain/index.js';
import { loadFeedback } from '../feedback/index.js';
import type {
  AccountDetail,
  AuditPage,
  CampaignDetail,
  CampaignGraph,
  CampaignList,
  ExchangePage,
  Overview,
  Samples,
  SearchResult,
  SessionInfo,
  Timeline,
} from './api-types.js';
import { RECENT_PER_ACCOUNT } from './data/indexes.js';
import { type OpenServer, openServer } from './index.js';
import { parsePrefix } from './routes/read.js';
import {
  alertLine,
  buildFixture,
  type Fixture,
  fixtureServerOptions,
  PASSWORDS,
} from './test-support/fixture.js';

let fx: Fixture;
let s: OpenServer;
const logs: string[] = [];

beforeAll(async () => {
  fx = await buildFixture();
  s = await openServer({ ...(await fixtureServerOptions(fx)), log: (l) => logs.push(l) });
  await s.indexes.ready;
}, 60_000);

afterAll(() => {
  s?.close();
  fx?.remove();
});

interface Auth {
  cookie: string;
  csrf: string;
}
type Role = keyof typeof PASSWORDS;
const auth = new Map<Role, Auth>();

async function login(role: Role): Promise<Auth> {
  const cached = auth.get(role);
  if (cached !== undefined) return cached;
  const r = await s.app.request('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: role, password: PASSWORDS[role] }),
  });
  expect(r.status).toBe(200);
  const info = (await r.json()) as SessionInfo;
  const a = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: info.csrf ?? '' };
  auth.set(role, a);
  return a;
}

async function call(
  path: string,
  opts: {
    role?: Role;
    method?: string;
    body?: unknown;
    csrf?: boolean;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.role !== undefined) {
    const a = await login(opts.role);
    headers.cookie = a.cookie;
    if (opts.csrf !== false && opts.method !== undefined && opts.method !== 'GET')
      headers['x-csrf-token'] = a.csrf;
  }
  if (opts.body !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = 'application/json';
  const init: RequestInit = { method: opts.method ?? 'GET', headers };
  if (opts.body !== undefined)
    init.body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return s.app.request(path, init);
}

async function json<T>(path: string, role: Role = 'analyst'): Promise<T> {
  const r = await call(path, { role });
  expect(r.status, `${path}: ${r.status}`).toBe(200);
  return (await r.json()) as T;
}

const errorOf = async (r: Response) =>
  ((await r.json()) as { error: { code: string; issues?: { field: string }[] } }).error;

let campaignId = '';
let members: string[] = [];
beforeAll(async () => {
  const list = await json<CampaignList>('/api/campaigns');
  campaignId = list.items[0]?.campaign_id ?? '';
  members = (await json<CampaignDetail>(`/api/campaigns/${campaignId}`)).members.map((m) => m.account_id);
});

const READ_ROUTES = () => [
  '/api/session',
  '/api/overview',
  '/api/campaigns',
  `/api/campaigns/${campaignId}`,
  `/api/campaigns/${campaignId}/graph`,
  `/api/campaigns/${campaignId}/timeline`,
  `/api/campaigns/${campaignId}/samples`,
  `/api/accounts/${members[0]}`,
  `/api/accounts/${members[0]}/exchanges`,
  `/api/accounts/${members[0]}/timeline`,
  `/api/search?kind=account&q=org`,
  '/api/audit',
  '/api/alerts',
];

describe('authentication and security headers', () => {
  it('refuses every API route without a session or token (401), and says why', async () => {
    const routes = [
      ...READ_ROUTES().map((p) => ['GET', p] as const),
      ['POST', `/api/campaigns/${campaignId}/status`] as const,
      ['POST', `/api/accounts/${members[0]}/trust`] as const,
      ['GET', '/api/admin/users'] as const,
      ['POST', '/api/admin/tokens'] as const,
      ['POST', '/api/logout'] as const,
      ['GET', '/api/alerts/stream'] as const,
    ];
    for (const [method, path] of routes) {
      const r = await s.app.request(path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? null : '{}',
      });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect((await errorOf(r)).code).toBe('unauthenticated');
    }
  });

  it('logs in with the right password only; locks a name after repeated failures', async () => {
    const bad = await call('/api/login', {
      method: 'POST',
      body: { user: 'viewer', password: 'wrong-password-0' },
    });
    expect(bad.status).toBe(401);
    expect((await errorOf(bad)).code).toBe('bad_credentials');
    const unknown = await call('/api/login', {
      method: 'POST',
      body: { user: 'nobody', password: 'whatever-1234' },
    });
    expect((await errorOf(unknown)).code).toBe('bad_credentials');
    for (let i = 0; i < 5; i++)
      await call('/api/login', {
        method: 'POST',
        body: { user: 'locked-out', password: 'wrong-password-0' },
      });
    const locked = await call('/api/login', {
      method: 'POST',
      body: { user: 'locked-out', password: 'wrong-password-0' },
    });
    expect(locked.status).toBe(429);
    const ok = await call('/api/login', {
      method: 'POST',
      body: { user: 'viewer', password: PASSWORDS.viewer },
    });
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(((await ok.json()) as SessionInfo).rawText).toBe(false);
  });

  it('refuses a form-encoded or cross-site login (CSRF on login)', async () => {
    const form = await call('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=admin&password=x',
    });
    expect(form.status).toBe(415);
    const cross = await call('/api/login', {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
      body: { user: 'admin', password: PASSWORDS.admin },
    });
    expect(cross.status).toBe(403);
    expect((await errorOf(cross)).code).toBe('csrf_failed');
  });

  it('rejects a bad login body with the field and the reason', async () => {
    const r = await call('/api/login', { method: 'POST', body: { user: 'admin' } });
    expect(r.status).toBe(400);
    const e = await errorOf(r);
    expect(e.code).toBe('invalid_input');
    expect(e.issues?.[0]?.field).toBe('body.password');
    const notJson = await call('/api/login', { method: 'POST', body: '{"user":' });
    expect((await errorOf(notJson)).issues?.[0]?.field).toBe('body');
  });

  it('sends a CSP without unsafe-inline and the usual security headers, and no-store on the API', async () => {
    for (const path of ['/', '/api/overview']) {
      const r = await call(path, { role: 'viewer' });
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect((await call('/api/overview', { role: 'viewer' })).headers.get('cache-control')).toBe('no-store');
  });

  it('logout ends the session', async () => {
    const r = await call('/api/login', {
      method: 'POST',
      body: { user: 'viewer', password: PASSWORDS.viewer },
    });
    const info = (await r.json()) as SessionInfo;
    const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const out = await s.app.request('/api/logout', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': info.csrf ?? '', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(200);
    expect((await s.app.request('/api/session', { headers: { cookie } })).status).toBe(401);
  });

  it('rejects a body over the limit with 413', async () => {
    const r = await call(`/api/campaigns/${campaignId}/status`, {
      role: 'analyst',
      method: 'POST',
      body: { status: 'confirmed', reason: 'x'.repeat(70_000) },
    });
    expect(r.status).toBe(413);
  });
});

describe('read routes (every role)', () => {
  it('answer 200 for viewer, analyst and admin', async () => {
    for (const role of ['viewer', 'analyst', 'admin'] as const)
      for (const path of READ_ROUTES())
        expect((await call(path, { role })).status, `${role} ${path}`).toBe(200);
  });

  it('overview: counts, charts and the state of the indexes', async () => {
    const o = await json<Overview>('/api/overview', 'viewer');
    expect(o.exchanges).toBeGreaterThan(10_000);
    expect(o.campaigns).toBeGreaterThan(0);
    expect(o.textMode).toBe('raw');
    expect(o.volume.days.length).toBe(7);
    expect(o.volume.all.reduce((a, b) => a + b, 0)).toBe(o.exchanges);
    const scored = Object.values(o.scoreHistogram.counts)
      .flat()
      .reduce((a, b) => a + b, 0);
    expect(scored).toBe(Object.values(o.verdictCounts).reduce((a, b) => a + b, 0));
    expect(o.indexes.status).toBe('ready');
  });

  it('campaigns: sorted by the chosen column; a bad sort is a 400 naming query.sort', async () => {
    const bySize = await json<CampaignList>('/api/campaigns?sort=accounts&order=asc');
    const sizes = bySize.items.map((c) => c.accounts);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    const bad = await call('/api/campaigns?sort=colour', { role: 'viewer' });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).issues?.[0]?.field).toBe('query.sort');
    expect((await call('/api/campaigns?limit=0', { role: 'viewer' })).status).toBe(400);
  });

  it('campaign: members with volumes, evidence in words, indicators; 404 for an unknown id', async () => {
    const c = await json<CampaignDetail>(`/api/campaigns/${campaignId}`);
    expect(c.members.length).toBe(c.accounts);
    expect(c.members.every((m) => m.exchanges > 0)).toBe(true);
    expect(c.evidence.every((e) => e.words.length > 0)).toBe(true);
    expect(Object.keys(c.indicators).length).toBeGreaterThan(0);
    const missing = await call('/api/campaigns/dgc-nope', { role: 'viewer' });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('not_found');
  });

  it('graph: every member is a node, every edge joins an account to an artifact shared by ≥ 2 members', async () => {
    const g = await json<CampaignGraph>(`/api/campaigns/${campaignId}/graph`);
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const m of members) expect(ids.has(`a:${m}`)).toBe(true);
    expect(g.edges.length).toBeGreaterThan(0);
    const degree = new Map<string, number>();
    for (const [a, x] of g.edges) {
      expect(a.startsWith('a:') && ids.has(a)).toBe(true);
      expect(x.startsWith('x:') && ids.has(x)).toBe(true);
      degree.set(x, (degree.get(x) ?? 0) + 1);
    }
    for (const d of degree.values()) expect(d).toBeGreaterThanOrEqual(2);
  });

  it('timeline: days × models, the largest accounts, releases inside the period', async () => {
    const t = await json<Timeline>(`/api/campaigns/${campaignId}/timeline`);
    expect(t.days.length).toBeGreaterThan(0);
    for (const series of Object.values(t.models)) expect(series.length).toBe(t.days.length);
    expect(t.accounts.length).toBe(Math.min(members.length, 60));
    for (const r of t.releases) expect(r.released_at.slice(0, 10) >= (t.days[0] ?? '')).toBe(true);
  });

  it('account: evidence worded by src/explain, metrics beside peer medians, linked accounts', async () => {
    const a = await json<AccountDetail>(`/api/accounts/${members[0]}`);
    expect(a.verdict?.campaign_id).toBe(campaignId);
    for (const e of a.evidence) expect(e.words).toBe(explainEvidence(e.signal, e.value, e.baseline));
    const ex = a.metrics.find((m) => m.metric === 'exchanges');
    expect(ex?.value).toBeGreaterThan(0);
    expect(ex?.peerMedian).toBeGreaterThan(0);
    expect(a.peers?.accounts).toBeGreaterThan(0);
    expect(Array.isArray(a.linked)).toBe(true);
    expect((await call('/api/accounts/org_does_not_exist', { role: 'viewer' })).status).toBe(404);
  });

  it('account exchanges: newest first, paged with `before`', async () => {
    const p1 = await json<ExchangePage>(`/api/accounts/${members[0]}/exchanges?limit=5`);
    expect(p1.items.length).toBe(5);
    const ts = p1.items.map((x) => x.ts);
    expect(ts).toEqual([...ts].sort().reverse());
    expect(p1.next).not.toBeNull();
    const p2 = await json<ExchangePage>(`/api/accounts/${members[0]}/exchanges?limit=5&before=${p1.next}`);
    expect((p2.items[0]?.ts ?? '') < (p1.items[4]?.ts ?? '')).toBe(true);
    const bad = await call(`/api/accounts/${members[0]}/exchanges?limit=9999`, { role: 'viewer' });
    expect((await errorOf(bad)).issues?.[0]?.field).toBe('query.limit');
  });
});

describe('account exchanges beyond the in-memory index of recent ones', () => {
  it('pages through every exchange of a large account, newest first, as the store has them', async () => {
    const [big] = await s.deps.queries.db.rows(
      `SELECT account_id, count(*)::DOUBLE AS n FROM exchanges GROUP BY ALL HAVING count(*) > ${RECENT_PER_ACCOUNT + 50}
        ORDER BY n LIMIT 1`,
    );
    if (big === undefined) throw new Error('the fixture has no account with enough exchanges');
    const id = String(big.account_id);
    const expected = (
      await s.deps.queries.db.rows(
        `SELECT ts::DOUBLE AS ts FROM exchanges WHERE account_id = $1 ORDER BY ts DESC, seq DESC`,
        [id],
      )
    ).map((r) => new Date(Number(r.ts)).toISOString());
    const seen: string[] = [];
    let before: number | null = null;
    for (let i = 0; i < 50; i++) {
      const page: ExchangePage = await json<ExchangePage>(
        `/api/accounts/${id}/exchanges?limit=60${before === null ? '' : `&before=${before}`}`,
      );
      seen.push(...page.items.map((x) => new Date(x.ts).toISOString()));
      if (page.next === null) break;
      before = page.next;
    }
    // Ties on the millisecond at a page boundary may be skipped (documented): compare as sets
    // of distinct times, in order.
    expect([...new Set(seen)]).toEqual([...new Set(expected)]);
  });
});

describe('viewers never receive raw prompt text', () => {
  it('samples and exchanges carry templates and fingerprints for viewers, raw text for analysts', async () => {
    const raw = await json<Samples>(`/api/campaigns/${campaignId}/samples`, 'analyst');
    const red = await json<Samples>(`/api/campaigns/${campaignId}/samples`, 'viewer');
    expect(raw.redacted).toBe(false);
    expect(red.redacted).toBe(true);
    const texts = raw.items.map((x) => x.prompt).filter((p): p is string => p !== null);
    expect(texts.length).toBeGreaterThan(0);
    for (const x of red.items) {
      expect(x.prompt).toBeNull();
      expect(x.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    }
    const viewerPages = [
      JSON.stringify(red),
      await (await call(`/api/accounts/${members[0]}/exchanges?limit=200`, { role: 'viewer' })).text(),
      await (await call(`/api/campaigns/${campaignId}`, { role: 'viewer' })).text(),
      await (await call(`/api/accounts/${members[0]}`, { role: 'viewer' })).text(),
    ].join('\n');
    const rawPage = await json<ExchangePage>(`/api/accounts/${members[0]}/exchanges?limit=200`, 'analyst');
    // A viewer's template is the prompt's first 8 normalised tokens (numbers, names, quotes
    // masked): the task text after it must never reach the viewer.
    let probes = 0;
    for (const p of [...texts, ...rawPage.items.map((x) => x.prompt)]) {
      if (p === null || p.length < 160) continue;
      const probe = JSON.stringify(p.slice(-30)).slice(1, -1);
      expect(viewerPages.includes(probe), probe).toBe(false);
      probes++;
    }
    expect(probes).toBeGreaterThan(10);
  });
});

describe('search', () => {
  it('finds accounts by id, IP, prefix, payment fingerprint, end user and template', async () => {
    const acc = await json<SearchResult>(`/api/search?kind=account&q=${members[0]?.slice(0, 8)}`, 'viewer');
    expect(acc.hits.some((h) => h.account_id === members[0])).toBe(true);
    const ex = (await json<ExchangePage>(`/api/accounts/${members[0]}/exchanges?limit=1`)).items[0];
    const ip = await json<SearchResult>(`/api/search?kind=ip&q=${ex?.ip}`, 'viewer');
    expect(ip.hits.some((h) => h.account_id === members[0])).toBe(true);
    const octets = (ex?.ip ?? '').split('.');
    const prefix = await json<SearchResult>(
      `/api/search?kind=prefix&q=${encodeURIComponent(`${octets.slice(0, 3).join('.')}.0/24`)}`,
      'viewer',
    );
    expect(prefix.hits.some((h) => h.account_id === members[0])).toBe(true);
    const a = await json<AccountDetail>(`/api/accounts/${members[0]}`);
    const pf = a.info?.payment_fingerprint;
    if (typeof pf === 'string') {
      const byPayment = await json<SearchResult>(`/api/search?kind=payment_fingerprint&q=${pf}`, 'viewer');
      expect(byPayment.hits.map((h) => h.account_id)).toContain(members[0]);
    }
    const c = await json<CampaignDetail>(`/api/campaigns/${campaignId}`);
    const template = c.indicators.prompt_template?.[0] ?? '';
    const t = await json<SearchResult>(
      `/api/search?kind=template&q=${encodeURIComponent(template)}`,
      'viewer',
    );
    expect(t.matched).toBe(template);
    expect(t.hits.some((h) => members.includes(h.account_id))).toBe(true);
    const eu = await json<SearchResult>('/api/search?kind=end_user&q=nobody-at-all', 'viewer');
    expect(eu.hits).toEqual([]);
  });

  it('rejects a bad IP, prefix or kind with the field and the reason', async () => {
    for (const q of ['kind=ip&q=999.1.1.1', 'kind=prefix&q=not-a-net', 'kind=colour&q=x', 'kind=ip&q=']) {
      const r = await call(`/api/search?${q}`, { role: 'viewer' });
      expect(r.status, q).toBe(400);
      const e = await errorOf(r);
      expect(e.issues?.[0]?.field).toMatch(/^query\.(q|kind)$/);
    }
  });

  it('parses network prefixes', () => {
    expect(parsePrefix('203.0.113.0/24')).toMatchObject({
      family: 4,
      text: '203.0.113.',
      label: '203.0.113.0/24',
    });
    expect(parsePrefix('203.0.113.')).toMatchObject({
      family: 4,
      text: '203.0.113.',
      label: '203.0.113.0/24',
    });
    expect(parsePrefix('10.1.2.3/12')).toMatchObject({
      lo: 10 * 2 ** 24,
      hi: 10 * 2 ** 24 + 2 ** 20 - 1,
      text: '10.',
    });
    expect(parsePrefix('2001:DB8::/32')).toMatchObject({ family: 6, text: '2001:db8:' });
    expect(parsePrefix('2001:db8::/33')).toBeNull();
    expect(parsePrefix('300.1.1.1/8')).toBeNull();
  });
});

describe('analyst decisions, audit and feedback', () => {
  it('viewers cannot decide (403); a session mutation needs the CSRF token; a reason is required', async () => {
    const body = { status: 'confirmed', reason: 'shared payment instrument' };
    const v = await call(`/api/campaigns/${campaignId}/status`, { role: 'viewer', method: 'POST', body });
    expect(v.status).toBe(403);
    expect((await errorOf(v)).code).toBe('forbidden');
    const noToken = await call(`/api/campaigns/${campaignId}/status`, {
      role: 'analyst',
      method: 'POST',
      body,
      csrf: false,
    });
    expect(noToken.status).toBe(403);
    expect((await errorOf(noToken)).code).toBe('csrf_failed');
    const cross = await call(`/api/campaigns/${campaignId}/status`, {
      role: 'analyst',
      method: 'POST',
      body,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect((await errorOf(cross)).code).toBe('csrf_failed');
    const noReason = await call(`/api/campaigns/${campaignId}/status`, {
      role: 'analyst',
      method: 'POST',
      body: { status: 'confirmed' },
    });
    expect(noReason.status).toBe(400);
    expect((await errorOf(noReason)).issues?.[0]?.field).toBe('body.reason');
    const badValue = await call(`/api/campaigns/${campaignId}/action`, {
      role: 'analyst',
      method: 'POST',
      body: { action: 'nuke', reason: 'because' },
    });
    expect((await errorOf(badValue)).issues?.[0]?.field).toBe('body.action');
    const form = await call(`/api/campaigns/${campaignId}/status`, {
      role: 'analyst',
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(body),
    });
    expect(form.status).toBe(415);
  });

  it('confirm, act, trust, dismiss: journaled with who/what/when/why and written to feedback.json', async () => {
    const ok = await call(`/api/campaigns/${campaignId}/status`, {
      role: 'analyst',
      method: 'POST',
      body: { status: 'confirmed', reason: 'shared payment instrument' },
    });
    expect(ok.status).toBe(200);
    const again = await call(`/api/campaigns/${campaignId}/status`, {
      role: 'analyst',
      method: 'POST',
      body: { status: 'confirmed', reason: 'twice' },
    });
    expect(again.status).toBe(409);
    expect(
      (
        await call(`/api/campaigns/${campaignId}/action`, {
          role: 'admin',
          method: 'POST',
          body: { action: 'block', reason: 'harvests' },
        })
      ).status,
    ).toBe(200);
    const other = members[1] ?? members[0] ?? '';
    expect(
      (
        await call(`/api/accounts/${other}/trust`, {
          role: 'analyst',
          method: 'POST',
          body: { trust: 'partner', reason: 'signed contract' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(`/api/accounts/${other}/status`, {
          role: 'analyst',
          method: 'POST',
          body: { status: 'dismissed', reason: 'eval partner' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(`/api/accounts/${other}/action`, {
          role: 'analyst',
          method: 'POST',
          body: { action: 'allow', reason: 'eval partner' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call('/api/accounts/org_nobody/status', {
          role: 'analyst',
          method: 'POST',
          body: { status: 'dismissed', reason: 'x y z' },
        })
      ).status,
    ).toBe(404);

    const audit = await json<AuditPage>(`/api/audit?kind=campaign&id=${campaignId}`, 'viewer');
    expect(audit.items.map((e) => [e.actor, e.field, e.value])).toEqual([
      ['admin', 'action', 'block'],
      ['analyst', 'status', 'confirmed'],
    ]);
    expect(audit.items[1]?.reason).toBe('shared payment instrument');
    expect(audit.items[1]?.ts).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const detail = await json<CampaignDetail>(`/api/campaigns/${campaignId}`, 'viewer');
    expect(detail.decisions).toMatchObject({ status: 'confirmed', action: 'block', updated_by: 'admin' });

    const fb = await loadFeedback(join(fx.dir, 'feedback.json'));
    expect(fb.status).toBe('loaded');
    if (fb.status !== 'loaded') return;
    expect(fb.feedback.statusOf({ kind: 'campaign', id: campaignId })?.status).toBe('confirmed');
    expect(fb.feedback.actionOf({ kind: 'account', id: members[0] ?? '' })).toMatchObject({
      action: 'block',
      from: 'campaign',
    });
    expect(fb.feedback.actionOf({ kind: 'account', id: other })?.action).toBe('allow');
    expect(fb.feedback.trustOf(other)).toBe('partner');
    const c = await json<CampaignDetail>(`/api/campaigns/${campaignId}`);
    const [kind, values] = Object.entries(c.indicators).find(([k]) => k !== 'prompt_template') ?? [
      'ip',
      [''],
    ];
    expect(fb.feedback.isConfirmed({ kind, value: values[0] ?? '' })).toBe(true);

    // The journal is append-only JSONL, one line per decision, hash-chained.
    const lines = readFileSync(join(fx.dir, 'analyst.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(5);
    expect(JSON.parse(lines[1] ?? '{}').prev_hash).toBe(JSON.parse(lines[0] ?? '{}').hash);
  });
});

describe('admin', () => {
  it('only admins manage users and tokens; a new user can log in; a token authenticates until revoked', async () => {
    expect((await call('/api/admin/users', { role: 'analyst' })).status).toBe(403);
    expect((await call('/api/admin/users', { role: 'viewer' })).status).toBe(403);
    const list = await json<{ users: { name: string }[] }>('/api/admin/users', 'admin');
    expect(list.users.map((u) => u.name).sort()).toEqual(['admin', 'analyst', 'viewer']);

    const created = await call('/api/admin/users', {
      role: 'admin',
      method: 'POST',
      body: { name: 'carol', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const { password } = (await created.json()) as { password: string };
    expect(password.length).toBeGreaterThanOrEqual(12);
    const carol = await call('/api/login', { method: 'POST', body: { user: 'carol', password } });
    expect(carol.status).toBe(200);
    const weak = await call('/api/admin/users', {
      role: 'admin',
      method: 'POST',
      body: { name: 'dave', role: 'viewer', password: 'short' },
    });
    expect((await errorOf(weak)).issues?.[0]?.field).toBe('body.password');
    expect(
      (
        await call('/api/admin/users', {
          role: 'admin',
          method: 'POST',
          body: { name: 'carol', role: 'viewer' },
        })
      ).status,
    ).toBe(409);
    expect((await call('/api/admin/users/admin', { role: 'admin', method: 'DELETE' })).status).toBe(409);
    expect((await call('/api/admin/users/carol', { role: 'admin', method: 'DELETE' })).status).toBe(200);

    const t = await call('/api/admin/tokens', {
      role: 'admin',
      method: 'POST',
      body: { label: 'siem', role: 'analyst' },
    });
    expect(t.status).toBe(201);
    const { id, token } = (await t.json()) as { id: string; token: string };
    const bearer = { authorization: `Bearer ${token}` };
    expect((await s.app.request('/api/overview', { headers: bearer })).status).toBe(200);
    // A token is not sent by a browser on its own: no CSRF token needed.
    const act = await s.app.request(`/api/accounts/${members[0]}/action`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'throttle', reason: 'from the SIEM' }),
    });
    expect(act.status).toBe(200);
    expect(((await act.json()) as { entry: { actor: string } }).entry.actor).toBe('token:siem');
    expect((await s.app.request('/api/admin/users', { headers: bearer })).status).toBe(403);
    expect((await call(`/api/admin/tokens/${id}`, { role: 'admin', method: 'DELETE' })).status).toBe(200);
    expect((await s.app.request('/api/overview', { headers: bearer })).status).toBe(401);
    expect(
      (await s.app.request('/api/overview', { headers: { authorization: 'Bearer dgt_nope' } })).status,
    ).toBe(401);
    const audit = await json<AuditPage>('/api/audit?kind=token', 'admin');
    expect(audit.items.map((e) => e.value)).toEqual(['revoked', 'created:analyst']);
  });
});

describe('alerts', () => {
  it('lists alerts from the file and pushes new ones over server-sent events', async () => {
    appendFileSync(fx.alerts, alertLine({ account_id: members[0] ?? 'x', campaign_id: campaignId }));
    appendFileSync(fx.alerts, 'not json\n');
    await s.deps.alerts.poll();
    const list = await json<{ items: { account_id: string; evidence: { words: string }[] }[] }>(
      '/api/alerts',
      'viewer',
    );
    expect(list.items[0]?.account_id).toBe(members[0]);
    expect(list.items[0]?.evidence[0]?.words).toMatch(/requests in one hour/);
    expect(s.deps.alerts.badLines).toBe(1);

    const a = await login('viewer');
    const controller = new AbortController();
    const res = await s.app.request('/api/alerts/stream', {
      headers: { cookie: a.cookie },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    let text = '';
    const until = async (re: RegExp) => {
      while (!re.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value);
      }
    };
    await until(/event: ready/);
    appendFileSync(fx.alerts, alertLine({ account_id: 'org_streamed', verdict: 'throttle', score: 0.8 }));
    await s.deps.alerts.poll();
    await until(/org_streamed/);
    expect(text).toMatch(/event: alert\ndata: \{"ts":[^\n]*org_streamed/);
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });
});

describe('logs', () => {
  it('hold no password, session id, CSRF token, API token or prompt text', async () => {
    const text = logs.join('\n');
    expect(text).toMatch(/GET \/api\/overview 200/);
    for (const p of Object.values(PASSWORDS)) expect(text).not.toContain(p);
    for (const a of auth.values()) {
      expect(text).not.toContain(a.cookie.split('=')[1] ?? 'x');
      expect(text).not.toContain(a.csrf);
    }
    expect(text).not.toContain('dgt_');
    const samples = await json<Samples>(`/api/campaigns/${campaignId}/samples`, 'analyst');
    for (const x of samples.items) if (x.prompt !== null) expect(text).not.toContain(x.prompt.slice(0, 30));
    // search terms travel in the query string, which is never logged
    expect(text).not.toMatch(/\?kind=/);
  });
});
