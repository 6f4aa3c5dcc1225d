/** One campaign: the decision panel, the account–artifact graph, the timeline, evidence in words,
 * shared indicators, sample prompts (redacted for viewers), members and the audit trail. */
import { lazy, memo, Suspense, useCallback, useEffect, useState } from 'react';
import type {
  AuditPage,
  CampaignDetail,
  Decisions,
  MemberRow,
  Samples,
  SessionInfo,
  Timeline,
} from '../../../src/server/api-types.js';
import type { ApiFailure } from '../api.js';
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
import { VirtualTable } from '../components/virtual-table.js';
import { compact, day, int, score, when } from '../format.js';
import { type GraphJob, graphJob } from '../graph/job.js';
import type { LaidOutGraph } from '../graph/layout.js';
import { campaignPaths } from '../paths.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';

const loadGraphView = () => import('../components/graph-view.js');
const GraphView = lazy(() => loadGraphView().then((m) => ({ default: m.GraphView })));

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

/**
 * The campaign's graph job (graph/job.ts: a worker fetches, parses and lays out the graph) and its
 * laid-out graph or failure, from `start` on. It starts once the rest of the page is on the screen:
 * on 2 busy cores a worker parsing 2–3 MB of JSON beside the page delayed the page's own work by
 * ~0.4 s, and started then the graph was drawn no later (A/B in one run at load ~7–9: page ready at
 * 1.7–2.1 s against 1.8–3.2 s, graph drawn at 4.1–4.3 s against 3.1–4.8 s).
 */
function useGraph(
  id: string,
  start: boolean,
): {
  job: GraphJob | null;
  graph: LaidOutGraph | null;
  error: ApiFailure | null;
} {
  const [job, setJob] = useState<GraphJob | null>(null);
  const [graph, setGraph] = useState<LaidOutGraph | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  useEffect(() => {
    if (!start) return;
    const j = graphJob(id);
    setJob(j);
    let live = true;
    j.laidOut.then(
      (g) => live && setGraph(g),
      (e: ApiFailure) => live && setError(e),
    );
    return () => {
      live = false;
      j.stop();
    };
  }, [id, start]);
  return { job, graph, error };
}

export function CampaignView({ id, session }: { id: string; session: SessionInfo }) {
  const paths = campaignPaths(id);
  const detail = useApi<CampaignDetail>(paths.detail);
  const timeline = useApi<Timeline>(paths.timeline);
  const samples = useApi<Samples>(paths.samples);
  const audit = useApi<AuditPage>(paths.audit);
  const [graphStart, setGraphStart] = useState(false);
  const graph = useGraph(id, graphStart);
  const [decisions, setDecisions] = useState<Decisions | null>(null);
  const [graphDrawn, setGraphDrawn] = useState(false);
  const [graphGo, setGraphGo] = useState(false);
  const [timelineDrawn, setTimelineDrawn] = useState(false);
  // Fetch and compile the graph code while the API answers, not after.
  useEffect(() => {
    void loadGraphView();
  }, []);
  useEffect(() => {
    if (detail.data !== null) performance.mark('dg:detail:shown');
    setDecisions(detail.data?.decisions ?? null);
  }, [detail.data]);
  const onGraphReady = useCallback(() => setGraphDrawn(true), []);
  const onTimelineDrawn = useCallback(() => {
    performance.mark('dg:timeline:drawn');
    setTimelineDrawn(true);
  }, []);
  const openAccount = useCallback((a: string) => {
    window.location.hash = href.account(a);
  }, []);
  const d = detail.data;
  // Interactive: the decision panel, evidence, indicators, members and the timeline's charts are
  // on the page. The graph comes after (drawing a large one takes a few hundred ms of the main
  // thread without a GPU): it starts once that first picture has been painted.
  const ready = d !== null && (timelineDrawn || timeline.error !== null);
  const graphReady = graphDrawn || graph.error !== null;
  useEffect(() => {
    // For the benchmark (bench/perf/serve.ts): when the page became interactive.
    if (!ready) return;
    performance.mark('dg:campaign:ready');
    setGraphStart(true);
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
          {graph.job === null || graph.error !== null ? null : (
            <ErrorBoundary what="graph" onError={onGraphReady}>
              <Suspense fallback={<Loading what="the graph" />}>
                <GraphView
                  job={graph.job}
                  graph={graph.graph}
                  go={graphGo}
                  onReady={onGraphReady}
                  onAccount={openAccount}
                />
              </Suspense>
            </ErrorBoundary>
          )}
        </Panel>
        <Panel title="Timeline">
          <ErrorBox error={timeline.error} />
          {timeline.data === null ? (
            <Loading what="the timeline" />
          ) : (
            <Timelines t={timeline.data} heatmap onDrawn={onTimelineDrawn} />
          )}
        </Panel>
      </div>
      {d !== null && (
        <div className="grid2">
          <Panel title="Why: the evidence">
            <Evidence items={d.evidence} />
          </Panel>
          <Panel title="Shared indicators">
            <Indicators indicators={d.indicators} />
          </Panel>
        </div>
      )}
      <Panel title="Sample prompts">
        <ErrorBox error={samples.error} />
        {samples.data === null ? <Loading what="samples" /> : <SamplesTable samples={samples.data} />}
      </Panel>
      {d !== null && (
        <Panel title={`Members (${int(d.members.length)})`}>
          <Members members={d.members} />
        </Panel>
      )}
      <AuditPanel items={audit.data === null ? null : audit.data.items} />
    </div>
  );
}

// The panels below re-render only when their own data changes (the view re-renders a dozen times
// while its parts arrive and the graph is drawn).
const Evidence = memo(EvidenceList);
const Timelines = memo(TimelineCharts);

const Indicators = memo(function Indicators({ indicators }: { indicators: CampaignDetail['indicators'] }) {
  if (Object.keys(indicators).length === 0) return <p className="muted">None recorded.</p>;
  return (
    <dl className="indicators">
      {Object.entries(indicators).map(([k, values]) => (
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
  );
});

const SamplesTable = memo(function SamplesTable({ samples }: { samples: Samples }) {
  return (
    <>
      {samples.redacted && (
        <p className="notice" data-testid="redacted-notice">
          Your role (viewer) does not receive raw prompt text: each prompt is shown as its template and its
          fingerprint.
        </p>
      )}
      <table className="samples" data-testid="samples">
        <thead>
          <tr>
            <th>account</th>
            <th>when</th>
            <th>{samples.redacted ? 'template' : 'prompt'}</th>
            <th>fingerprint</th>
          </tr>
        </thead>
        <tbody>
          {samples.items.map((s) => (
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
  );
});

const MEMBERS_HEAD = (
  <tr>
    <th>account</th>
    <th className="num">score</th>
    <th>verdict</th>
    <th className="num">exchanges</th>
    <th className="num">output tokens</th>
    <th>decisions</th>
  </tr>
);

const memberRow = (m: MemberRow) => (
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
);

/** All members, a window at a time (VirtualTable): 5,000 rows cost the first render what 30 do. */
const Members = memo(function Members({ members }: { members: MemberRow[] }) {
  return (
    <VirtualTable className="members" testId="members" rows={members} head={MEMBERS_HEAD} row={memberRow} />
  );
});
