/** One campaign: the decision panel, the account–artifact graph, the timeline, evidence in words,
 * shared indicators, sample prompts (redacted for viewers), members and the audit trail. */
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import type {
  AuditPage,
  CampaignDetail,
  CampaignGraph,
  Decisions,
  Samples,
  SessionInfo,
  Timeline,
} from '../../../src/server/api-types.js';
import { enc, query } from '../api.js';
import { AuditPanel } from '../components/audit-list.js';
import {
  CapabilityBar,
  ErrorBox,
  EvidenceList,
  Loading,
  Panel,
  StatusBadges,
  VerdictBadge,
} from '../components/common.js';
import { DecisionPanel } from '../components/decision-panel.js';
import { ErrorBoundary } from '../components/error-boundary.js';
import { TimelineCharts } from '../components/timeline-charts.js';
import { compact, day, int, score, when } from '../format.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';

const loadGraphView = () => import('../components/graph-view.js');
const GraphView = lazy(() => loadGraphView().then((m) => ({ default: m.GraphView })));

/** Member rows drawn before "show all" (a 5,000-row table costs the page more than it helps). */
const MEMBERS_SHOWN = 100;
const INDICATOR_NAMES: Readonly<Record<string, string>> = {
  prompt_template: 'prompt templates',
  system_prompt: 'system prompts (MD5)',
  ip: 'IP addresses',
  subnet: 'networks',
  asn: 'ASNs',
  payment_fingerprint: 'payment instruments',
  tls_fingerprint: 'TLS fingerprints',
  user_agent: 'user agents',
  email_domain: 'email domains',
  api_key: 'API keys',
};
const SEARCHABLE: Readonly<Record<string, string>> = {
  prompt_template: 'template',
  ip: 'ip',
  subnet: 'prefix',
  payment_fingerprint: 'payment_fingerprint',
};

export function CampaignView({ id, session }: { id: string; session: SessionInfo }) {
  const base = `/api/campaigns/${enc(id)}`;
  const detail = useApi<CampaignDetail>(base);
  const graph = useApi<CampaignGraph>(`${base}/graph`);
  const timeline = useApi<Timeline>(`${base}/timeline`);
  const samples = useApi<Samples>(`${base}/samples`);
  const audit = useApi<AuditPage>(`/api/audit${query({ kind: 'campaign', id })}`);
  const [decisions, setDecisions] = useState<Decisions | null>(null);
  const [graphDrawn, setGraphDrawn] = useState(false);
  const [graphGo, setGraphGo] = useState(false);
  const [allMembers, setAllMembers] = useState(false);
  // Fetch and compile the graph code while the API answers, not after.
  useEffect(() => {
    void loadGraphView();
  }, []);
  useEffect(() => setDecisions(detail.data?.decisions ?? null), [detail.data]);
  const onGraphReady = useCallback(() => setGraphDrawn(true), []);
  const openAccount = useCallback((a: string) => {
    window.location.hash = href.account(a);
  }, []);
  const d = detail.data;
  // Interactive: the decision panel, evidence, indicators, members and timeline are on the page.
  // The graph comes after (building and drawing a large one holds the main thread ~1 s without
  // a GPU): it starts once that first picture has been painted.
  const ready = d !== null && timeline.data !== null;
  const graphReady = graphDrawn || graph.error !== null;
  useEffect(() => {
    // For the benchmark (bench/perf/serve.ts): when the page became interactive.
    if (!ready) return;
    performance.mark('dg:campaign:ready');
    let timer: number | undefined;
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() => setGraphGo(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(timer);
    };
  }, [ready]);

  return (
    <div
      className="view"
      data-view="campaign"
      data-ready={ready ? 'true' : 'false'}
      data-graph-ready={graphReady ? 'true' : 'false'}
    >
      <p className="crumbs">
        <a href={href.campaigns()}>Campaigns</a> / {id}
      </p>
      <ErrorBox error={detail.error} />
      {d === null ? (
        <Loading what="the campaign" />
      ) : (
        <>
          <h1>
            Campaign {d.campaign_id} {decisions !== null && <StatusBadges d={decisions} />}
          </h1>
          <p className="summary">
            score <strong>{score(d.score)}</strong> · <strong>{int(d.accounts)}</strong> accounts ·{' '}
            <strong>{int(d.exchanges)}</strong> exchanges · <strong>{compact(d.output_tokens)}</strong> output
            tokens · {day(d.first_seen)} → {day(d.last_seen)} <CapabilityBar mix={d.capabilities} />
          </p>
          {decisions !== null && (
            <DecisionPanel
              kind="campaign"
              id={d.campaign_id}
              decisions={decisions}
              canEdit={session.role !== 'viewer'}
              onChanged={(x) => {
                setDecisions(x);
                audit.reload();
              }}
            />
          )}
        </>
      )}
      <div className="grid2">
        <Panel title="Accounts and the infrastructure they share">
          <ErrorBox error={graph.error} />
          {graph.data === null || !graphGo ? (
            <Loading what="the graph" />
          ) : (
            <ErrorBoundary what="graph" onError={onGraphReady}>
              <Suspense fallback={<Loading what="the graph view" />}>
                <GraphView data={graph.data} onReady={onGraphReady} onAccount={openAccount} />
              </Suspense>
            </ErrorBoundary>
          )}
        </Panel>
        <Panel title="Timeline">
          <ErrorBox error={timeline.error} />
          {timeline.data === null ? (
            <Loading what="the timeline" />
          ) : (
            <TimelineCharts t={timeline.data} heatmap />
          )}
        </Panel>
      </div>
      {d !== null && (
        <div className="grid2">
          <Panel title="Why: the evidence">
            <EvidenceList items={d.evidence} />
          </Panel>
          <Panel title="Shared indicators">
            {Object.keys(d.indicators).length === 0 ? (
              <p className="muted">None recorded.</p>
            ) : (
              <dl className="indicators">
                {Object.entries(d.indicators).map(([k, values]) => (
                  <div key={k}>
                    <dt>
                      {INDICATOR_NAMES[k] ?? k} ({values.length})
                    </dt>
                    <dd>
                      {values.slice(0, 12).map((v) => {
                        const kind = SEARCHABLE[k];
                        return kind === undefined ? (
                          <code key={v}>{v}</code>
                        ) : (
                          <a key={v} href={href.search(kind, v)}>
                            <code>{v}</code>
                          </a>
                        );
                      })}
                      {values.length > 12 && <span className="muted"> … {values.length - 12} more</span>}
                    </dd>
                  </div>
                ))}
              </dl>
            )}
          </Panel>
        </div>
      )}
      <Panel title="Sample prompts">
        <ErrorBox error={samples.error} />
        {samples.data === null ? (
          <Loading what="samples" />
        ) : (
          <>
            {samples.data.redacted && (
              <p className="notice" data-testid="redacted-notice">
                Your role (viewer) does not receive raw prompt text: each prompt is shown as its template and
                its fingerprint.
              </p>
            )}
            <table className="samples" data-testid="samples">
              <thead>
                <tr>
                  <th>account</th>
                  <th>when</th>
                  <th>{samples.data.redacted ? 'template' : 'prompt'}</th>
                  <th>fingerprint</th>
                </tr>
              </thead>
              <tbody>
                {samples.data.items.map((s) => (
                  <tr key={`${s.account_id}-${s.ts}`}>
                    <td>
                      <a href={href.account(s.account_id)}>{s.account_id}</a>
                    </td>
                    <td className="nowrap">{when(s.ts)}</td>
                    <td>
                      {s.prompt !== null ? (
                        <pre className="prompt">
                          {s.prompt}
                          {s.truncated ? ' …' : ''}
                        </pre>
                      ) : (
                        <code>{s.skeleton ?? '–'}</code>
                      )}
                    </td>
                    <td>
                      <code>{s.fingerprint ?? '–'}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Panel>
      {d !== null && (
        <Panel title={`Members (${int(d.members.length)})`}>
          <table className="members">
            <thead>
              <tr>
                <th>account</th>
                <th className="num">score</th>
                <th>verdict</th>
                <th className="num">exchanges</th>
                <th className="num">output tokens</th>
                <th>decisions</th>
              </tr>
            </thead>
            <tbody>
              {(allMembers ? d.members : d.members.slice(0, MEMBERS_SHOWN)).map((m) => (
                <tr key={m.account_id}>
                  <td>
                    <a href={href.account(m.account_id)}>{m.account_id}</a>
                  </td>
                  <td className="num">{score(m.score)}</td>
                  <td>
                    <VerdictBadge verdict={m.verdict} />
                  </td>
                  <td className="num">{int(m.exchanges)}</td>
                  <td className="num">{compact(m.output_tokens)}</td>
                  <td>
                    <StatusBadges d={m.decisions} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {!allMembers && d.members.length > MEMBERS_SHOWN && (
            <button type="button" onClick={() => setAllMembers(true)}>
              Show all {int(d.members.length)} members
            </button>
          )}
        </Panel>
      )}
      <AuditPanel items={audit.data === null ? null : audit.data.items} />
    </div>
  );
}
