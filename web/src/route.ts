/** Hash routes (#/campaign/ID): the server serves one page; links survive reloads and need no server routes.
 * No React here: the entry script parses the route before the app's code has loaded (prefetch.ts). */

export type Route =
  | { view: 'campaigns' }
  | { view: 'campaign'; id: string }
  | { view: 'account'; id: string }
  | { view: 'alerts' }
  | { view: 'search'; kind: string; q: string }
  | { view: 'audit' }
  | { view: 'admin' };

export function parseRoute(hash: string): Route {
  const [path = '', qs = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter((p) => p !== '');
  const params = new URLSearchParams(qs);
  const id = parts[1] === undefined ? '' : decodeURIComponent(parts[1]);
  switch (parts[0]) {
    case 'campaign':
      return id === '' ? { view: 'campaigns' } : { view: 'campaign', id };
    case 'account':
      return id === '' ? { view: 'campaigns' } : { view: 'account', id };
    case 'alerts':
      return { view: 'alerts' };
    case 'search':
      return { view: 'search', kind: params.get('kind') ?? 'account', q: params.get('q') ?? '' };
    case 'audit':
      return { view: 'audit' };
    case 'admin':
      return { view: 'admin' };
    default:
      return { view: 'campaigns' };
  }
}

export const href = {
  campaigns: () => '#/',
  campaign: (id: string) => `#/campaign/${encodeURIComponent(id)}`,
  account: (id: string) => `#/account/${encodeURIComponent(id)}`,
  alerts: () => '#/alerts',
  search: (kind: string, q: string) => `#/search?${new URLSearchParams({ kind, q }).toString()}`,
  audit: () => '#/audit',
  admin: () => '#/admin',
};
