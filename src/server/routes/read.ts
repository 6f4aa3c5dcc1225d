/** Read routes, open to every role; prompt text is redacted for viewers by the queries (redact.ts). */
import { isIP } from 'node:net';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Alert, Campaign } from '../../formats/index.js';
import type {
  AccountDetail,
  AlertItem,
  CampaignDetail,
  CampaignList,
  CampaignSummary,
  MemberRow,
  Overview,
  SearchResult,
  Timeline,
} from '../api-types.js';
import { parsePath, parseQuery } from '../auth/middleware.js';
import { mayReadRawText } from '../auth/roles.js';
import type { Findings } from '../data/findings.js';
import { sampleView } from '../data/queries.js';
import { accountEvidence, campaignEvidence, type ServerDeps } from '../deps.js';
import type { AppEnv } from '../env.js';
import { ApiError } from '../errors.js';

export const Id = z.string().min(1).max(512);
const int = (min: number, max: number, dflt: number) =>
  z.coerce.number().int().min(min).max(max).default(dflt);

const CAMPAIGN_SORTS = [
  'score',
  'accounts',
  'exchanges',
  'output_tokens',
  'first_seen',
  'last_seen',
] as const;
const CampaignListQuery = z.object({
  sort: z.enum(CAMPAIGN_SORTS).default('score'),
  order: z.enum(['asc', 'desc']).default('desc'),
  status: z.enum(['confirmed', 'dismissed', 'open']).optional(),
  limit: int(1, 500, 100),
  offset: int(0, 1_000_000, 0),
});
/** Exchanges per page: each costs a point read of its text (see queries.accountExchanges). */
export const EXCHANGES_PAGE = 25;
const ExchangesQuery = z.object({
  limit: int(1, 200, EXCHANGES_PAGE),
  before: z.coerce.number().int().min(0).optional(),
});
export const SEARCH_KINDS = [
  'account',
  'ip',
  'prefix',
  'payment_fingerprint',
  'template',
  'end_user',
] as const;
const SearchQuery = z.object({
  kind: z.enum(SEARCH_KINDS),
  q: z.string().trim().min(1, 'type something to search for').max(4000),
  limit: int(1, 500, 100),
});
const AuditQuery = z.object({
  kind: z.enum(['campaign', 'account', 'user', 'token']).optional(),
  id: Id.optional(),
  limit: int(1, 500, 100),
  offset: int(0, 1_000_000, 0),
});
const AlertsQuery = z.object({ limit: int(1, 500, 100) });

/** Heartbeat of the alert stream: proxies close idle connections after 30–60 s. */
export const SSE_HEARTBEAT_MS = 15_000;
function summary(c: Campaign, d: ServerDeps): CampaignSummary {
  const indicatorCounts: Record<string, number> = {};
  for (const [k, v] of Object.entries(c.indicators)) indicatorCounts[k] = v.length;
  const top = c.evidence.find((e) => e.signal !== 'link.harvesting_cluster') ?? c.evidence[0];
  return {
    campaign_id: c.campaign_id,
    score: c.score,
    accounts: c.accounts.length,
    exchanges: c.exchanges,
    output_tokens: c.output_tokens,
    first_seen: c.first_seen,
    last_seen: c.last_seen,
    capabilities: c.capabilities as Record<string, number>,
    indicatorCounts,
    topEvidence: top?.detail ?? null,
    decisions: d.journal.decisions({ kind: 'campaign', id: c.campaign_id }),
  };
}

function alertItem(a: Alert): AlertItem {
  return { ...a, evidence: accountEvidence(a.evidence) };
}

/** A CIDR or a partial address (`203.0.113.`, `2001:db8::/32`) → what to look for. */
export type PrefixQuery =
  | { family: 4; lo: number; hi: number; text: string; label: string }
  | { family: 6; text: string; label: string };

export function parsePrefix(q: string): PrefixQuery | null {
  const s = q.trim().toLowerCase();
  const v4 = /^(\d{1,3})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?\.?(?:\/(\d{1,2}))?$/.exec(s);
  if (v4 !== null) {
    const given = [v4[1], v4[2], v4[3], v4[4]].filter((x) => x !== undefined).map(Number);
    if (given.some((o) => o > 255)) return null;
    const len = v4[5] === undefined ? given.length * 8 : Number(v4[5]);
    if (len > 32) return null;
    const octets = [...given, 0, 0, 0].slice(0, 4);
    const addr = octets.reduce((a, o) => a * 256 + o, 0);
    const size = 2 ** (32 - len);
    const lo = Math.floor(addr / size) * size;
    const loOctets = [24, 16, 8, 0].map((b) => Math.floor(lo / 2 ** b) % 256);
    const whole = Math.floor(len / 8);
    const text = whole === 0 ? '' : `${loOctets.slice(0, whole).join('.')}${whole < 4 ? '.' : ''}`;
    return { family: 4, lo, hi: lo + size - 1, text, label: `${loOctets.join('.')}/${len}` };
  }
  const v6 = /^([0-9a-f:]+)\/(\d{1,3})$/.exec(s);
  if (v6 !== null) {
    const len = Number(v6[2]);
    if (len === 0 || len > 128 || len % 16 !== 0) return null;
    const head = (v6[1] as string).split('::')[0] ?? '';
    const groups = head.split(':').filter((g) => g !== '');
    if (groups.some((g) => g.length > 4)) return null;
    const need = len / 16;
    while (groups.length < need) groups.push('0');
    const text = `${groups
      .slice(0, need)
      .map((g) => g.replace(/^0+(?=.)/, ''))
      .join(':')}:`;
    return { family: 6, text, label: `${text}:/${len}` };
  }
  return null;
}

export function readRoutes(d: ServerDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  let overviewCache: {
    key: string;
    value: Promise<Omit<Overview, 'indexes' | 'findings' | 'alerts'>>;
  } | null = null;

  const campaignOr404 = (f: Findings, id: string): Campaign => {
    const c = f.campaignById.get(id);
    if (c === undefined) throw new ApiError('not_found', `no campaign ${id} in ${f.dir}`);
    return c;
  };

  app.get('/overview', async (c) => {
    const f = await d.findings.get();
    if (overviewCache === null || overviewCache.key !== f.loadedAt) {
      const inCampaigns = f.campaigns.flatMap((x) => x.accounts as string[]);
      overviewCache = {
        key: f.loadedAt,
        value: (async () => {
          const [totals, textMode, volume, releases] = await Promise.all([
            d.queries.totals(),
            d.queries.textMode(),
            d.queries.volume(inCampaigns),
            d.queries.releases(),
          ]);
          const mix: Record<string, number> = {};
          let total = 0;
          for (const x of f.campaigns) {
            for (const [k, v] of Object.entries(x.capabilities))
              mix[k] = (mix[k] ?? 0) + (v ?? 0) * x.exchanges;
            total += x.exchanges;
          }
          for (const k of Object.keys(mix))
            mix[k] = Math.round(((mix[k] ?? 0) / Math.max(1, total)) * 1000) / 1000;
          return {
            exchanges: totals.exchanges,
            accounts: totals.accounts,
            period:
              totals.first === null || totals.last === null
                ? null
                : { first: new Date(totals.first).toISOString(), last: new Date(totals.last).toISOString() },
            textMode,
            verdictCounts: f.verdictCounts,
            campaigns: f.campaigns.length,
            accountsInCampaigns: inCampaigns.length,
            outputTokensInCampaigns: f.campaigns.reduce((s, x) => s + x.output_tokens, 0),
            scoreHistogram: f.scoreHistogram,
            volume,
            capabilityMix: mix,
            releases,
          };
        })(),
      };
      overviewCache.value.catch(() => {
        overviewCache = null;
      });
    }
    const base = await overviewCache.value;
    const st = d.queries.indexes.status();
    const body: Overview = {
      ...base,
      findings: {
        dir: f.dir,
        loadedAt: f.loadedAt,
        badLines: f.badLines,
        exchangeVerdicts: f.exchangeVerdicts,
      },
      indexes:
        st.status === 'ready'
          ? { status: 'ready', seconds: st.seconds }
          : st.status === 'failed'
            ? { status: 'failed', message: st.message }
            : { status: 'building' },
      alerts: { file: d.alerts.path },
    };
    return c.json(body);
  });

  app.get('/campaigns', async (c) => {
    const q = parseQuery(c, CampaignListQuery);
    const f = await d.findings.get();
    const key = (x: Campaign): number | string =>
      q.sort === 'accounts'
        ? x.accounts.length
        : q.sort === 'first_seen' || q.sort === 'last_seen'
          ? x[q.sort]
          : x[q.sort];
    let list = f.campaigns.slice();
    if (q.status !== undefined)
      list = list.filter(
        (x) => (d.journal.decisions({ kind: 'campaign', id: x.campaign_id }).status ?? 'open') === q.status,
      );
    const dir = q.order === 'asc' ? 1 : -1;
    list.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return (ka < kb ? -1 : ka > kb ? 1 : 0) * dir || (a.campaign_id < b.campaign_id ? -1 : 1);
    });
    const body: CampaignList = {
      total: list.length,
      items: list.slice(q.offset, q.offset + q.limit).map((x) => summary(x, d)),
    };
    return c.json(body);
  });

  app.get('/campaigns/:id', async (c) => {
    const id = parsePath(Id, c.req.param('id'), 'id');
    const f = await d.findings.get();
    const camp = campaignOr404(f, id);
    const volumes = await d.campaignParts.volumes(f, camp);
    const members: MemberRow[] = camp.accounts.map((a) => {
      const v = f.verdicts.get(a);
      const vol = volumes.get(a);
      return {
        account_id: a,
        score: v?.score ?? null,
        verdict: v?.verdict ?? null,
        exchanges: vol?.exchanges ?? 0,
        output_tokens: vol?.output_tokens ?? 0,
        decisions: d.journal.decisions({ kind: 'account', id: a }),
      };
    });
    members.sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || b.exchanges - a.exchanges);
    const { accounts: _n, ...rest } = summary(camp, d);
    const body: CampaignDetail = {
      ...rest,
      accounts: camp.accounts.length,
      members,
      // Shown as they are: hunt writes system prompts as MD5 and templates as skeleton heads.
      indicators: camp.indicators,
      evidence: campaignEvidence(camp.evidence),
    };
    return c.json(body);
  });

  app.get('/campaigns/:id/graph', async (c) => {
    const id = parsePath(Id, c.req.param('id'), 'id');
    const f = await d.findings.get();
    const camp = campaignOr404(f, id);
    // Serialised once (CampaignGraph): 2–3 MB of JSON for a campaign of thousands of accounts.
    const body = await d.campaignParts.graphJson(f, camp);
    return c.body(body, 200, { 'Content-Type': 'application/json' });
  });

  app.get('/campaigns/:id/timeline', async (c) => {
    const id = parsePath(Id, c.req.param('id'), 'id');
    const f = await d.findings.get();
    const camp = campaignOr404(f, id);
    const body: Timeline = await d.campaignParts.timeline(f, camp);
    return c.json(body);
  });

  app.get('/campaigns/:id/samples', async (c) => {
    const id = parsePath(Id, c.req.param('id'), 'id');
    const f = await d.findings.get();
    const camp = campaignOr404(f, id);
    const raw = mayReadRawText(c.get('principal').role);
    // Cached as text; redacted for each caller on the way out.
    const rows = await d.campaignParts.samples(f, camp);
    return c.json({ redacted: !raw, items: rows.map((r) => sampleView(r, raw)) });
  });

  app.get('/accounts/:id', async (c) => {
    const id = parsePath(Id, c.req.param('id'), 'id');
    const f = await d.findings.get();
    const v = f.verdicts.get(id);
    const [info, metrics, linked] = await Promise.all([
      d.queries.accountInfo(id),
      d.queries.accountMetrics(id),
      d.queries.linkedAccounts(id),
    ]);
    if (info === null && metrics === null && v === undefined)
      throw new ApiError('not_found', `no account ${id}`);
    const body: AccountDetail = {
      account_id: id,
      info,
      verdict: v === undefined ? null : { score: v.score, verdict: v.verdict, campaign_id: v.campaign_id },
      evidence: accountEvidence(v?.evidence ?? []),
      metrics: metrics?.metrics ?? [],
      peers: metrics === null ? null : { sizeClass: metrics.sizeClass, accounts: metrics.peers },
      linked: linked.map((l) => {
        const lv = f.verdicts.get(l.account_id);
        return {
          ...l,
          score: lv?.score ?? null,
          verdict: lv?.verdict ?? null,
          campaign_id: lv?.campaign_id ?? null,
        };
      }),
      decisions: d.journal.decisions({ kind: 'account', id }),
    };
    return c.json(body);
  });

  app.get('/accounts/:id/exchanges', async (c) => {
    const id = parsePath(Id, c.req.param('id'), 'id');
    const q = parseQuery(c, ExchangesQuery);
    const raw = mayReadRawText(c.get('principal').role);
    return c.json(await d.queries.accountExchanges(id, { limit: q.limit, before: q.before ?? null, raw }));
  });

  app.get('/accounts/:id/timeline', async (c) => {
    const id = parsePath(Id, c.req.param('id'), 'id');
    return c.json(await d.queries.timeline([id], await d.queries.releases(), 1));
  });

  app.get('/search', async (c) => {
    const q = parseQuery(c, SearchQuery);
    const bad = (reason: string) =>
      new ApiError('invalid_input', `query.q: ${reason}`, [
        { field: 'query.q', code: 'invalid_format', reason },
      ]);
    let matched = q.q;
    let r: { hits: { account_id: string; matches: number }[]; partial: boolean };
    switch (q.kind) {
      case 'account':
        r = await d.queries.accountIds(q.q, q.limit);
        break;
      case 'ip': {
        if (isIP(q.q) === 0) throw bad('not an IPv4 or IPv6 address');
        matched = q.q.toLowerCase();
        r = await d.queries.holders('ip', matched, q.limit);
        break;
      }
      case 'prefix': {
        const p = parsePrefix(q.q);
        if (p === null) throw bad('not a network prefix (e.g. 203.0.113.0/24, 203.0.113., 2001:db8::/32)');
        matched = p.label;
        r =
          p.family === 4
            ? await d.queries.ipRange(p.lo, p.hi, p.text, q.limit)
            : await d.queries.ipv6Prefix(p.text, q.limit);
        break;
      }
      case 'payment_fingerprint':
        r = await d.queries.holders('payment_fingerprint', q.q, q.limit);
        break;
      case 'end_user':
        r = await d.queries.holders('end_user', q.q, q.limit);
        break;
      case 'template': {
        const t = await d.queries.template(q.q, q.limit);
        matched = t.matched;
        r = t;
        break;
      }
    }
    const f = await d.findings.get();
    const body: SearchResult = {
      kind: q.kind,
      query: q.q,
      matched,
      partial: r.partial,
      hits: r.hits.map((h) => {
        const v = f.verdicts.get(h.account_id);
        return {
          ...h,
          score: v?.score ?? null,
          verdict: v?.verdict ?? null,
          campaign_id: v?.campaign_id ?? null,
        };
      }),
    };
    return c.json(body);
  });

  app.get('/audit', (c) => {
    const q = parseQuery(c, AuditQuery);
    const filter: { kind?: string; id?: string } = {};
    if (q.kind !== undefined) filter.kind = q.kind;
    if (q.id !== undefined) filter.id = q.id;
    return c.json(d.journal.audit(filter, q.limit, q.offset));
  });

  app.get('/alerts', (c) => {
    const q = parseQuery(c, AlertsQuery);
    return c.json({ file: d.alerts.path, items: d.alerts.recent(q.limit).map(alertItem) });
  });

  app.get('/alerts/stream', (c) => {
    const p = c.get('principal');
    return streamSSE(c, async (stream) => {
      let seq = 0;
      const unsubscribe = d.alerts.subscribe((a) => {
        void stream.writeSSE({ event: 'alert', id: String(++seq), data: JSON.stringify(alertItem(a)) });
      });
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ file: d.alerts.path }) });
      await new Promise<void>((resolve) => {
        const beat = setInterval(() => {
          // A session that ended (logout, expiry) stops its stream too.
          if (p.sessionId !== null && d.sessions.get(p.sessionId) === null) {
            clearInterval(beat);
            resolve();
            return;
          }
          void stream.writeSSE({ event: 'ping', data: '' });
        }, SSE_HEARTBEAT_MS);
        stream.onAbort(() => {
          clearInterval(beat);
          resolve();
        });
      });
      unsubscribe();
    });
  });

  return app;
}
