/**
 * What the entry script starts before React and the views have loaded: the session check and the
 * opened view's API requests (taken by useApi when the view mounts). Without it the requests would
 * wait for ~0.3 MB of scripts to be fetched, compiled and run, then for the session reply, before
 * even being sent. (A campaign's graph is not among them: its worker starts once the rest of the
 * page is on the screen, see views/campaign.tsx.)
 */
import { prefetch } from './api.js';
import {
  accountPaths,
  CAMPAIGN_LIST_DEFAULT,
  campaignListPath,
  campaignPaths,
  OVERVIEW_PATH,
  SESSION_PATH,
} from './paths.js';
import { parseRoute } from './route.js';

export function prefetchView(hash: string): void {
  prefetch(SESSION_PATH);
  const route = parseRoute(hash);
  if (route.view === 'campaign') {
    for (const p of Object.values(campaignPaths(route.id))) prefetch(p);
  } else if (route.view === 'account') {
    for (const p of Object.values(accountPaths(route.id))) prefetch(p);
  } else if (route.view === 'campaigns') {
    prefetch(OVERVIEW_PATH);
    prefetch(campaignListPath(CAMPAIGN_LIST_DEFAULT.sort, CAMPAIGN_LIST_DEFAULT.order));
  }
}
