/** Live alerts from `distillguard watch`: the recent ones, then each new one as the server pushes it (SSE). */
import { useEffect, useState } from 'react';
import type { AlertItem } from '../../../src/server/api-types.js';
import { CampaignLink, ErrorBox, Loading, Panel, VerdictBadge } from '../components/common.js';
import { score, when } from '../format.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';

/** Alerts kept on the page. */
const KEPT = 500;

const alertKey = (a: AlertItem): string => `${a.ts}|${a.account_id}|${a.verdict}|${a.score}`;

export function AlertsView() {
  const first = useApi<{ file: string | null; items: AlertItem[] }>('/api/alerts?limit=200');
  const [live, setLive] = useState<AlertItem[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  useEffect(() => {
    const es = new EventSource('/api/alerts/stream');
    es.addEventListener('ready', () => setState('live'));
    es.addEventListener('alert', (e) => {
      const a = JSON.parse((e as MessageEvent<string>).data) as AlertItem;
      setLive((l) => [a, ...l].slice(0, KEPT));
    });
    es.onerror = () => setState('reconnecting');
    return () => es.close();
  }, []);
  // An alert may come both in the first page and on the stream (it arrived in between): once each.
  const seen = new Set<string>();
  const items = [...live, ...(first.data?.items ?? [])]
    .filter((a) => {
      const k = alertKey(a);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .slice(0, KEPT);
  return (
    <div
      className="view"
      data-view="alerts"
      data-ready={first.data !== null && state === 'live' ? 'true' : 'false'}
    >
      <h1>Alerts</h1>
      <p className="muted">
        Feed:{' '}
        {first.data?.file ?? '(no alerts file: start serve with --alerts FILE written by distillguard watch)'}{' '}
        · <span data-testid="stream-state">{state}</span>
      </p>
      <ErrorBox error={first.error} />
      <Panel title={`Newest first (${items.length})`}>
        {first.data === null ? (
          <Loading what="alerts" />
        ) : items.length === 0 ? (
          <p className="muted">No alerts yet.</p>
        ) : (
          <table className="alerts" data-testid="alerts">
            <thead>
              <tr>
                <th>when (UTC)</th>
                <th>account</th>
                <th>verdict</th>
                <th className="num">score</th>
                <th>campaign</th>
                <th>why</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={alertKey(a)}>
                  <td className="nowrap">{when(a.ts)}</td>
                  <td>
                    <a href={href.account(a.account_id)}>{a.account_id}</a>
                  </td>
                  <td>
                    <VerdictBadge verdict={a.verdict} />
                  </td>
                  <td className="num">{score(a.score)}</td>
                  <td>
                    <CampaignLink id={a.campaign_id} />
                  </td>
                  <td className="small">{a.evidence[0]?.words ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
    </div>
  );
}
