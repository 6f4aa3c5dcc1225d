/** Search accounts by id, IP, network prefix, payment fingerprint, prompt template or end user. */
import { useEffect, useState } from 'react';
import type { SearchResult } from '../../../src/server/api-types.js';
import { query } from '../api.js';
import { CampaignLink, ErrorBox, Loading, Panel, VerdictBadge } from '../components/common.js';
import { int, score } from '../format.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';

const KINDS: readonly [string, string, string][] = [
  ['account', 'account id', 'org_4eDf'],
  ['ip', 'IP address', '198.51.100.7'],
  ['prefix', 'network prefix', '198.51.100.0/24'],
  ['payment_fingerprint', 'payment fingerprint', 'pm_…'],
  ['template', 'prompt template', 'a prompt, a "head: …" key, or a 16-hex fingerprint'],
  ['end_user', 'end user', 'user-123'],
];

export function SearchView({ kind, q }: { kind: string; q: string }) {
  const [k, setK] = useState(kind);
  const [text, setText] = useState(q);
  useEffect(() => {
    setK(kind);
    setText(q);
  }, [kind, q]);
  const r = useApi<SearchResult>(q === '' ? null : `/api/search${query({ kind, q, limit: 200 })}`);
  return (
    <div
      className="view"
      data-view="search"
      data-ready={q === '' || r.data !== null || r.error !== null ? 'true' : 'false'}
    >
      <h1>Search</h1>
      <form
        className="search"
        onSubmit={(e) => {
          e.preventDefault();
          window.location.hash = href.search(k, text);
        }}
      >
        <select name="kind" value={k} onChange={(e) => setK(e.target.value)} aria-label="search by">
          {KINDS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        {k === 'template' ? (
          <textarea
            name="q"
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={3}
            placeholder={KINDS.find((x) => x[0] === k)?.[2]}
          />
        ) : (
          <input
            name="q"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={KINDS.find((x) => x[0] === k)?.[2]}
          />
        )}
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={r.error} />
      {q !== '' &&
        (r.loading || r.data === null ? (
          r.error === null && <Loading what="results" />
        ) : (
          <Panel title={`${int(r.data.hits.length)}${r.data.partial ? '+' : ''} accounts`}>
            <p className="muted small">
              matched: <code>{r.data.matched}</code>
            </p>
            <table className="hits" data-testid="hits">
              <thead>
                <tr>
                  <th>account</th>
                  <th className="num">matches</th>
                  <th className="num">score</th>
                  <th>verdict</th>
                  <th>campaign</th>
                </tr>
              </thead>
              <tbody>
                {r.data.hits.map((h) => (
                  <tr key={h.account_id}>
                    <td>
                      <a href={href.account(h.account_id)}>{h.account_id}</a>
                    </td>
                    <td className="num">{int(h.matches)}</td>
                    <td className="num">{score(h.score)}</td>
                    <td>
                      <VerdictBadge verdict={h.verdict} />
                    </td>
                    <td>
                      <CampaignLink id={h.campaign_id} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>
        ))}
    </div>
  );
}
