/** One account: decisions, evidence, its behaviour beside its peers' medians, linked accounts,
 * its timeline and its exchanges (prompts redacted for viewers), and the audit trail. */
import { useEffect, useMemo, useState } from 'react';
import type {
  AccountDetail,
  AuditPage,
  Decisions,
  ExchangePage,
  ExchangeRow,
  SessionInfo,
  Timeline,
} from '../../../src/server/api-types.js';
import { ApiFailure, get, query } from '../api.js';
import { AuditPanel } from '../components/audit-list.js';
import { Chart, type ChartOption } from '../components/chart.js';
import {
  CampaignLink,
  ErrorBox,
  EvidenceList,
  Loading,
  Panel,
  StatusBadges,
  VerdictBadge,
} from '../components/common.js';
import { DecisionPanel } from '../components/decision-panel.js';
import { TimelineCharts } from '../components/timeline-charts.js';
import { int, METRIC_NAMES, num, pct, SHARE_METRICS, score, when } from '../format.js';
import { accountPaths } from '../paths.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';

/** Exchanges per page (the API's default: each costs a point read of its text). */
const PAGE = 25;

function peerChart(a: AccountDetail): ChartOption {
  const rows = a.metrics.filter((m) => m.value !== null && m.peerMedian !== null && m.peerMedian > 0);
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 200, right: 30, top: 10, bottom: 30 },
    xAxis: { type: 'log', name: '× peer median', nameLocation: 'middle', nameGap: 22, min: 0.01 },
    yAxis: { type: 'category', data: rows.map((m) => METRIC_NAMES[m.metric] ?? m.metric) },
    series: [
      {
        type: 'bar',
        data: rows.map((m) => {
          const r = Math.max(0.01, (m.value ?? 0) / (m.peerMedian ?? 1));
          return {
            value: Math.round(r * 100) / 100,
            itemStyle: { color: r >= 3 ? '#d1495b' : r <= 1 / 3 ? '#4e79a7' : '#9aa5b1' },
          };
        }),
        markLine: {
          symbol: 'none',
          data: [{ xAxis: 1 }],
          lineStyle: { color: '#333' },
          label: { formatter: 'peers' },
        },
      },
    ],
  };
}

const fmtMetric = (metric: string, v: number | null) =>
  v === null ? '–' : SHARE_METRICS.has(metric) ? pct(v) : num(Math.round(v * 100) / 100);

export function AccountView({ id, session }: { id: string; session: SessionInfo }) {
  const paths = accountPaths(id);
  const base = paths.detail;
  const detail = useApi<AccountDetail>(paths.detail);
  const timeline = useApi<Timeline>(paths.timeline);
  const audit = useApi<AuditPage>(paths.audit);
  const [decisions, setDecisions] = useState<Decisions | null>(null);
  const [rows, setRows] = useState<ExchangeRow[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [redacted, setRedacted] = useState(false);
  const [exError, setExError] = useState<ApiFailure | null>(null);
  const [loadingEx, setLoadingEx] = useState(true);
  useEffect(() => setDecisions(detail.data?.decisions ?? null), [detail.data]);
  const chart = useMemo(() => (detail.data === null ? null : peerChart(detail.data)), [detail.data]);

  const loadExchanges = (before: number | null) => {
    setLoadingEx(true);
    get<ExchangePage>(`${base}/exchanges${query({ limit: PAGE, before: before ?? undefined })}`).then(
      (p) => {
        setRows((r) => (before === null ? p.items : [...r, ...p.items]));
        setNext(p.next);
        setRedacted(p.redacted);
        setLoadingEx(false);
      },
      (e: unknown) => {
        setExError(e instanceof ApiFailure ? e : new ApiFailure(0, 'network', String(e)));
        setLoadingEx(false);
      },
    );
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the account changes
  useEffect(() => {
    setRows([]);
    loadExchanges(null);
  }, [id]);

  const a = detail.data;
  return (
    <div
      className="view"
      data-view="account"
      data-ready={a !== null && timeline.data !== null ? 'true' : 'false'}
    >
      <p className="crumbs">
        <a href={href.campaigns()}>Campaigns</a>
        {a?.verdict?.campaign_id != null && (
          <>
            {' '}
            / <a href={href.campaign(a.verdict.campaign_id)}>{a.verdict.campaign_id}</a>
          </>
        )}{' '}
        / {id}
      </p>
      <ErrorBox error={detail.error} />
      {a === null ? (
        <Loading what="the account" />
      ) : (
        <>
          <h1>
            Account {a.account_id} {decisions !== null && <StatusBadges d={decisions} />}
          </h1>
          <p className="summary">
            {a.verdict === null ? (
              'not scored by hunt'
            ) : (
              <>
                score <strong>{score(a.verdict.score)}</strong> <VerdictBadge verdict={a.verdict.verdict} />
              </>
            )}
            {a.info !== null &&
              Object.entries(a.info)
                .filter(([, v]) => v !== null)
                .map(([k, v]) => (
                  <span key={k} className="kv">
                    {k.replace('_', ' ')}: <strong>{String(v)}</strong>
                  </span>
                ))}
          </p>
          {decisions !== null && (
            <DecisionPanel
              kind="account"
              id={a.account_id}
              decisions={decisions}
              canEdit={session.role !== 'viewer'}
              onChanged={(x) => {
                setDecisions(x);
                audit.reload();
              }}
            />
          )}
          <div className="grid2">
            <Panel title="Why: the evidence">
              <EvidenceList items={a.evidence} />
            </Panel>
            <Panel
              title={`Beside its peers${a.peers === null ? '' : ` (${int(a.peers.accounts)} accounts of ${a.peers.sizeClass})`}`}
            >
              {a.metrics.length === 0 ? (
                <p className="muted">No exchanges stored for this account.</p>
              ) : (
                <>
                  {chart !== null && (
                    <Chart
                      option={chart}
                      label="account metrics as multiples of the peer median"
                      height={300}
                    />
                  )}
                  <table className="metrics">
                    <thead>
                      <tr>
                        <th>measure</th>
                        <th className="num">this account</th>
                        <th className="num">peer median</th>
                      </tr>
                    </thead>
                    <tbody>
                      {a.metrics.map((m) => (
                        <tr key={m.metric}>
                          <td>{METRIC_NAMES[m.metric] ?? m.metric}</td>
                          <td className="num">{fmtMetric(m.metric, m.value)}</td>
                          <td className="num">{fmtMetric(m.metric, m.peerMedian)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </Panel>
          </div>
          <div className="grid2">
            <Panel title="Activity">
              {timeline.data === null ? (
                <Loading what="the timeline" />
              ) : (
                <TimelineCharts t={timeline.data} heatmap={false} />
              )}
            </Panel>
            <Panel title="Linked accounts (shared IPs, end users, TLS, payment, email domain)">
              {a.linked.length === 0 ? (
                <p className="muted">None: no rare artifact is shared with another account.</p>
              ) : (
                <table className="linked">
                  <thead>
                    <tr>
                      <th>account</th>
                      <th className="num">shared</th>
                      <th>through</th>
                      <th className="num">score</th>
                      <th>campaign</th>
                    </tr>
                  </thead>
                  <tbody>
                    {a.linked.map((l) => (
                      <tr key={l.account_id}>
                        <td>
                          <a href={href.account(l.account_id)}>{l.account_id}</a>
                        </td>
                        <td className="num">{l.shared}</td>
                        <td className="small">{l.kinds.join(', ')}</td>
                        <td className="num">
                          {score(l.score)} <VerdictBadge verdict={l.verdict} />
                        </td>
                        <td>
                          <CampaignLink id={l.campaign_id} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Panel>
          </div>
        </>
      )}
      <Panel title="Exchanges, newest first">
        <ErrorBox error={exError} />
        {redacted && (
          <p className="notice" data-testid="redacted-notice">
            Your role (viewer) does not receive raw prompt text: templates and fingerprints only.
          </p>
        )}
        <table className="exchanges" data-testid="exchanges">
          <thead>
            <tr>
              <th>when (UTC)</th>
              <th>model</th>
              <th>IP</th>
              <th>end user</th>
              <th className="num">in → out tokens</th>
              <th>{redacted ? 'template' : 'prompt'}</th>
              <th>fingerprint</th>
              <th>flagged</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.ts}-${r.request_id ?? ''}-${r.fingerprint ?? ''}-${r.ip}`}>
                <td className="nowrap">{when(r.ts)}</td>
                <td>{r.model ?? '–'}</td>
                <td>
                  <a href={href.search('ip', r.ip)}>{r.ip}</a>
                </td>
                <td>
                  {r.end_user_id === null ? (
                    '–'
                  ) : (
                    <a href={href.search('end_user', r.end_user_id)}>{r.end_user_id}</a>
                  )}
                </td>
                <td className="num nowrap">
                  {int(r.input_tokens)} → {int(r.output_tokens)}
                </td>
                <td>
                  {r.prompt !== null ? (
                    <pre className="prompt">{r.prompt}</pre>
                  ) : (
                    <code>{r.skeleton ?? '–'}</code>
                  )}
                </td>
                <td>
                  <code>{r.fingerprint ?? '–'}</code>
                </td>
                <td>{r.flagged === null ? '' : r.flagged ? 'harvest' : 'genuine'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {loadingEx ? (
          <Loading what="exchanges" />
        ) : (
          next !== null && (
            <button type="button" onClick={() => loadExchanges(next)}>
              Older exchanges
            </button>
          )
        )}
      </Panel>
      <AuditPanel items={audit.data === null ? null : audit.data.items} />
    </div>
  );
}
