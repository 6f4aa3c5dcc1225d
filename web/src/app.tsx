/** The shell: session check, login gate, navigation and the current view. */
import { useCallback, useEffect, useState } from 'react';
import type { SessionInfo } from '../../src/server/api-types.js';
import { ApiFailure, get, onUnauthenticated, post, setSession, takePrefetched } from './api.js';
import { SESSION_PATH } from './paths.js';
import { href, useRoute } from './router.js';
import { AccountView } from './views/account.js';
import { AdminView } from './views/admin.js';
import { AlertsView } from './views/alerts.js';
import { AuditView } from './views/audit.js';
import { CampaignView } from './views/campaign.js';
import { CampaignsView } from './views/campaigns.js';
import { LoginView } from './views/login.js';
import { SearchView } from './views/search.js';

export function App() {
  const [session, setState] = useState<SessionInfo | null | 'checking'>('checking');
  const route = useRoute();
  const set = useCallback((s: SessionInfo | null) => {
    setSession(s);
    setState(s);
  }, []);
  useEffect(() => {
    (takePrefetched<SessionInfo>(SESSION_PATH) ?? get<SessionInfo>(SESSION_PATH)).then(set, (e: unknown) => {
      if (!(e instanceof ApiFailure) || e.status === 401) set(null);
    });
    return onUnauthenticated(() => set(null));
  }, [set]);

  if (session === 'checking') return <p className="muted">…</p>;
  if (session === null) return <LoginView onLogin={set} />;

  const view = (() => {
    switch (route.view) {
      case 'campaigns':
        return <CampaignsView />;
      case 'campaign':
        return <CampaignView key={route.id} id={route.id} session={session} />;
      case 'account':
        return <AccountView key={route.id} id={route.id} session={session} />;
      case 'alerts':
        return <AlertsView />;
      case 'search':
        return <SearchView kind={route.kind} q={route.q} />;
      case 'audit':
        return <AuditView />;
      case 'admin':
        return session.role === 'admin' ? <AdminView me={session.user} /> : <p>Admins only.</p>;
    }
  })();

  return (
    <>
      <nav className="top">
        <a className="brand" href={href.campaigns()}>
          distillguard
        </a>
        <a href={href.campaigns()} aria-current={route.view === 'campaigns' ? 'page' : undefined}>
          Campaigns
        </a>
        <a href={href.alerts()} aria-current={route.view === 'alerts' ? 'page' : undefined}>
          Alerts
        </a>
        <a href={href.search('account', '')} aria-current={route.view === 'search' ? 'page' : undefined}>
          Search
        </a>
        <a href={href.audit()} aria-current={route.view === 'audit' ? 'page' : undefined}>
          Audit
        </a>
        {session.role === 'admin' && (
          <a href={href.admin()} aria-current={route.view === 'admin' ? 'page' : undefined}>
            Admin
          </a>
        )}
        <span className="me">
          {session.user} <span className="badge">{session.role}</span>
          <button
            type="button"
            onClick={() => {
              void post('/api/logout', {}).finally(() => set(null));
            }}
          >
            Log out
          </button>
        </span>
      </nav>
      <main>{view}</main>
    </>
  );
}
