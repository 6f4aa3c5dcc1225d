/** What the routes share: the data sources and the server's own state, assembled in app.ts. */

import { explainEvidence } from '../explain/index.js';
import type { Evidence } from '../formats/index.js';
import type { EvidenceItem } from './api-types.js';
import type { Principal } from './auth/roles.js';
import type { SessionStore } from './auth/sessions.js';
import type { UserDirectory } from './auth/users.js';
import type { AlertFeed } from './data/alerts.js';
import type { CampaignParts } from './data/campaign-parts.js';
import type { FindingsSource } from './data/findings.js';
import type { StoreQueries } from './data/queries.js';
import type { Journal, JournalActor } from './journal.js';

export interface ServerDeps {
  queries: StoreQueries;
  findings: FindingsSource;
  /** Campaign graphs, timelines and samples: the strongest precomputed, others memoised. */
  campaignParts: CampaignParts;
  journal: Journal;
  alerts: AlertFeed;
  users: UserDirectory;
  sessions: SessionStore;
  /** One line per request and per notable event; never bodies, query strings or secrets. */
  log: (line: string) => void;
  /** Mark the session cookie Secure (serve behind HTTPS). */
  secureCookies: boolean;
  /** Origins besides the request's own allowed to send mutations (a proxy's public origin). */
  allowedOrigins: readonly string[];
}

/** Account evidence with words from src/explain (value and baseline are the account's own). */
export function accountEvidence(list: readonly Evidence[]): EvidenceItem[] {
  return list.map((e) => ({ ...e, words: explainEvidence(e.signal, e.value, e.baseline) }));
}

/** Campaign evidence: values are shares of members, so the words are the campaign stage's
 * `detail` (built from the members' explained evidence), not the per-account sentence. */
export function campaignEvidence(list: readonly Evidence[]): EvidenceItem[] {
  return list.map((e) => ({
    ...e,
    words: e.detail !== '' ? e.detail : explainEvidence(e.signal, e.value, e.baseline),
  }));
}

export function actorOf(p: Principal): JournalActor {
  return { name: p.name, role: p.role, via: p.via };
}
