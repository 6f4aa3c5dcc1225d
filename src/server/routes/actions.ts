/**
 * Analyst decisions (analyst and admin roles): confirm or dismiss a campaign or an account, set
 * an account's trust, set the enforcement action of either. Each is journaled with who, when and
 * why (a reason is required) and rewrites feedback.json.
 */
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { ENFORCEMENT_ACTIONS, REVIEW_STATUSES } from '../../feedback/index.js';
import { TRUST } from '../../formats/index.js';
import { jsonBody, parsePath, requireRole } from '../auth/middleware.js';
import { actorOf, type ServerDeps } from '../deps.js';
import type { AppEnv } from '../env.js';
import { ApiError } from '../errors.js';
import type { Change, DecisionTarget } from '../journal.js';
import { Id } from './read.js';

const Reason = z.string().trim().min(3, 'say why (at least 3 characters)').max(2000);
const StatusBody = z.object({ status: z.enum(REVIEW_STATUSES).nullable(), reason: Reason });
const TrustBody = z.object({ trust: z.enum(TRUST).nullable(), reason: Reason });
const ActionBody = z.object({ action: z.enum(ENFORCEMENT_ACTIONS).nullable(), reason: Reason });

export function actionRoutes(d: ServerDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const analyst = requireRole('analyst');

  const decide = async (
    c: Context<AppEnv>,
    target: DecisionTarget,
    change: Change & { field: 'status' | 'trust' | 'action' },
    reason: string,
  ) => {
    const f = await d.findings.get();
    let snapshot: { accounts: string[]; indicators: Record<string, string[]> } | undefined;
    if (target.kind === 'campaign') {
      const camp = f.campaignById.get(target.id);
      if (camp === undefined) throw new ApiError('not_found', `no campaign ${target.id}`);
      snapshot = { accounts: [...camp.accounts], indicators: camp.indicators };
    } else if (!f.verdicts.has(target.id) && (await d.queries.accountInfo(target.id)) === null) {
      throw new ApiError('not_found', `no account ${target.id}`);
    }
    if (d.journal.current(target, change.field) === change.value)
      throw new ApiError('conflict', `${change.field} is already ${String(change.value ?? 'unset')}`);
    const entry = await d.journal.record(actorOf(c.get('principal')), target, change, reason, snapshot);
    d.log(`decision ${target.kind}=${target.id} ${change.field}=${String(change.value)} by=${entry.actor}`);
    return c.json({ decisions: d.journal.decisions(target), entry });
  };

  for (const kind of ['campaign', 'account'] as const) {
    const base = kind === 'campaign' ? '/campaigns/:id' : '/accounts/:id';
    app.post(`${base}/status`, analyst, async (c) => {
      const id = parsePath(Id, c.req.param('id'), 'id');
      const b = await jsonBody(c, StatusBody);
      return decide(c, { kind, id }, { field: 'status', value: b.status }, b.reason);
    });
    app.post(`${base}/action`, analyst, async (c) => {
      const id = parsePath(Id, c.req.param('id'), 'id');
      const b = await jsonBody(c, ActionBody);
      return decide(c, { kind, id }, { field: 'action', value: b.action }, b.reason);
    });
  }
  app.post('/accounts/:id/trust', analyst, async (c) => {
    const id = parsePath(Id, c.req.param('id'), 'id');
    const b = await jsonBody(c, TrustBody);
    return decide(c, { kind: 'account', id }, { field: 'trust', value: b.trust }, b.reason);
  });
  return app;
}
