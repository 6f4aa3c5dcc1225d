/** Home: the numbers, three charts (scores, volume, capability mix) and the sortable campaign list. */
import { useMemo, useState } from 'react';
import type { CampaignList, Overview } from '../../../src/server/api-types.js';
import { Chart, type ChartOption } from '../components/chart.js';
import { CapabilityBar, ErrorBox, Loading, Panel, StatusBadges, Tile } from '../components/common.js';
import { CAPABILITY_COLORS, compact, day, int, score, VERDICT_COLORS } from '../format.js';
import { CAMPAIGN_LIST_DEFAULT, campaignListPath, OVERVIEW_PATH } from '../paths.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';

const COLUMNS = [
  { key: 'score', label: 'score' },
  { key: 'accounts', label: 'accounts' },
  { key: 'exchanges', label: 'exchanges' },
  { key: 'output_tokens', label: 'output tokens harvested' },
  { key: 'first_seen', label: 'first seen' },
] as const;
type SortKey = (typeof COLUMNS)[number]['key'];

function scoreChart(o: Overview): ChartOption {
  const bins = Array.from({ length: o.scoreHistogram.bins }, (_, i) =>
    (i / o.scoreHistogram.bins).toFixed(2),
  );
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 50, right: 10, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: bins, name: 'score', nameLocation: 'middle', nameGap: 22 },
    // Log scale (clear accounts outnumber the rest by 100×); the floor under 1 keeps single accounts visible.
    yAxis: { type: 'log', min: 0.5, axisLabel: { formatter: (v: number) => (v >= 1 ? String(v) : '') } },
    series: (['clear', 'watch', 'throttle', 'block'] as const).map((v) => ({
      name: v,
      type: 'bar',
      stack: 'v',
      itemStyle: { color: VERDICT_COLORS[v] },
      data: o.scoreHistogram.counts[v].map((n) => (n === 0 ? null : n)),
    })),
  };
}

function volumeChart(o: Overview): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 60, right: 10, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: o.volume.days },
    yAxis: { type: 'value' },
    series: [
      {
        name: 'all accounts',
        type: 'line',
        data: o.volume.all,
        showSymbol: false,
        itemStyle: { color: '#9aa5b1' },
      },
      {
        name: 'accounts in campaigns',
        type: 'line',
        data: o.volume.campaigns,
        showSymbol: false,
        itemStyle: { color: '#d1495b' },
        markLine: {
          symbol: 'none',
          label: { formatter: '{b}', fontSize: 10 },
          lineStyle: { type: 'dashed', color: '#555' },
          data: o.releases
            .filter((r) => o.volume.days.includes(day(r.released_at)))
            .map((r) => ({ name: r.model, xAxis: day(r.released_at) })),
        },
      },
    ],
  };
}

function mixChart(o: Overview): ChartOption {
  const entries = Object.entries(o.capabilityMix).sort((a, b) => a[1] - b[1]);
  return {
    tooltip: { trigger: 'item', valueFormatter: (v: unknown) => `${Math.round(Number(v) * 100)}%` },
    grid: { left: 100, right: 20, top: 10, bottom: 25 },
    xAxis: { type: 'value', max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
    yAxis: { type: 'category', data: entries.map(([k]) => k) },
    series: [
      {
        type: 'bar',
        data: entries.map(([k, v]) => ({ value: v, itemStyle: { color: CAPABILITY_COLORS[k] ?? '#ccc' } })),
      },
    ],
  };
}

export function CampaignsView() {
  const [sort, setSort] = useState<SortKey>(CAMPAIGN_LIST_DEFAULT.sort);
  const [order, setOrder] = useState<'asc' | 'desc'>(CAMPAIGN_LIST_DEFAULT.order);
  const overview = useApi<Overview>(OVERVIEW_PATH);
  const list = useApi<CampaignList>(campaignListPath(sort, order));
  const o = overview.data;
  const charts = useMemo(
    () => (o === null ? null : { s: scoreChart(o), v: volumeChart(o), m: mixChart(o) }),
    [o],
  );

  const sortBy = (k: SortKey) => {
    if (k === sort) setOrder(order === 'desc' ? 'asc' : 'desc');
    else {
      setSort(k);
      setOrder('desc');
    }
  };

  return (
    <div
      className="view"
      data-view="campaigns"
      data-ready={o !== null && list.data !== null ? 'true' : 'false'}
    >
      <ErrorBox error={overview.error ?? list.error} />
      {o === null || charts === null ? (
        <Loading what="the overview" />
      ) : (
        <>
          <div className="tiles">
            <Tile label="exchanges stored" value={compact(o.exchanges)} />
            <Tile label="accounts" value={compact(o.accounts)} />
            <Tile label="campaigns" value={int(o.campaigns)} />
            <Tile label="accounts in campaigns" value={int(o.accountsInCampaigns)} />
            <Tile
              label="accounts to block / throttle"
              value={`${int(o.verdictCounts.block)} / ${int(o.verdictCounts.throttle)}`}
            />
            <Tile label="output tokens harvested" value={compact(o.outputTokensInCampaigns)} />
          </div>
          {o.indexes.status !== 'ready' && (
            <p className="muted">
              {o.indexes.status === 'building'
                ? 'Indexing the store… pages wait for it the first time.'
                : `Indexing failed: ${o.indexes.message ?? ''}`}
            </p>
          )}
          <div className="grid3">
            <Panel title="Accounts by score (log scale)">
              <Chart option={charts.s} label="accounts per score bin and verdict" />
            </Panel>
            <Panel title="Exchanges per day">
              <Chart option={charts.v} label="exchanges per day, all and in campaigns, with model releases" />
            </Panel>
            <Panel title="What campaigns harvest">
              <Chart option={charts.m} label="capability mix of campaign traffic" />
            </Panel>
          </div>
        </>
      )}
      <Panel title={`Campaigns${list.data === null ? '' : ` (${list.data.total})`}`}>
        {list.data === null ? (
          <Loading what="campaigns" />
        ) : list.data.items.length === 0 ? (
          <p className="muted">hunt found no campaign in this data.</p>
        ) : (
          <table className="campaigns" data-testid="campaign-table">
            <thead>
              <tr>
                <th>campaign</th>
                {COLUMNS.map((c) => (
                  <th
                    key={c.key}
                    className="num"
                    aria-sort={sort === c.key ? (order === 'desc' ? 'descending' : 'ascending') : 'none'}
                  >
                    <button type="button" className="sort" onClick={() => sortBy(c.key)}>
                      {c.label}
                      {sort === c.key ? (order === 'desc' ? ' ▼' : ' ▲') : ''}
                    </button>
                  </th>
                ))}
                <th>capability mix</th>
                <th>top evidence</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((c) => (
                <tr key={c.campaign_id}>
                  <td>
                    <a href={href.campaign(c.campaign_id)}>{c.campaign_id}</a>{' '}
                    <StatusBadges d={c.decisions} />
                  </td>
                  <td className="num">{score(c.score)}</td>
                  <td className="num">{int(c.accounts)}</td>
                  <td className="num">{int(c.exchanges)}</td>
                  <td className="num">{compact(c.output_tokens)}</td>
                  <td className="num">{day(c.first_seen)}</td>
                  <td>
                    <CapabilityBar mix={c.capabilities} />
                  </td>
                  <td className="small">{c.topEvidence}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
    </div>
  );
}
