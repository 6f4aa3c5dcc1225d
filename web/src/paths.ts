/** The API paths each view asks for first, in one place: the views and the entry script's
 * prefetch (prefetch.ts) must ask for the very same strings. No React here. */
import { enc, query } from './api.js';

export const SESSION_PATH = '/api/session';
export const OVERVIEW_PATH = '/api/overview';
export const campaignListPath = (sort: string, order: string): string =>
  `/api/campaigns${query({ sort, order, limit: 500 })}`;
export const CAMPAIGN_LIST_DEFAULT = { sort: 'score', order: 'desc' } as const;

export function campaignPaths(id: string) {
  const base = `/api/campaigns/${enc(id)}`;
  return {
    detail: base,
    timeline: `${base}/timeline`,
    samples: `${base}/samples`,
    audit: `/api/audit${query({ kind: 'campaign', id })}`,
  };
}

export function accountPaths(id: string) {
  const base = `/api/accounts/${enc(id)}`;
  return { detail: base, timeline: `${base}/timeline`, audit: `/api/audit${query({ kind: 'account', id })}` };
}
