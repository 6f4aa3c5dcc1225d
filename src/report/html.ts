/**
 * `report.html`: one self-contained file. No external resource of any kind (no fonts,
 * images, scripts or styles from elsewhere); the stylesheet and the small table-sorting
 * script are inline and pinned by hash in a Content-Security-Policy, so even a string that
 * escaped escaping could not run script or load anything. Every data string goes through
 * `h` (escape.ts).
 */
import { createHash } from 'node:crypto';
import type { Campaign, Evidence, Verdict } from '../formats/index.js';
import type { Release, VerdictScan } from './derive.js';
import {
  buildSeries,
  capabilityMix,
  fmtDay,
  fmtExact,
  fmtInt,
  fmtNum,
  fmtScore,
  fmtSeconds,
  fmtTime,
  fmtValue,
  head,
  LIMITS,
  parseReleases,
  releasesInPeriod,
  scanVerdicts,
  summaryText,
  timelineOf,
  VERDICT_KINDS,
} from './derive.js';
import { h } from './escape.js';
import { capabilityBar, capabilityLegend, histogramChart, timelineChart, verdictBar } from './svg.js';
import type { ReportInput } from './types.js';

const STYLE = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--accent:#0969da;
--clear:#7fb77e;--watch:#e3b341;--throttle:#f0883e;--block:#d1242f;--warnbg:#fff8c5;--warnline:#d4a72c}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;--line:#3d444d;
--accent:#4493f8;--warnbg:#3a2e00;--warnline:#9e6a03}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1280px;padding:24px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:16px 0 6px}
a{color:var(--accent)}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.meta{color:var(--muted);margin:0 0 12px}.meta code{word-break:break-all}
nav{margin:8px 0 16px;color:var(--muted)}nav a{margin-right:12px}
.figures{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.fig{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:140px}
.fig b{display:block;font-size:22px}.fig span{color:var(--muted)}
.warn{background:var(--warnbg);border:1px solid var(--warnline);border-left-width:6px;border-radius:6px;padding:10px 16px;margin:16px 0}
.warn h2{border:0;margin:0 0 4px;padding:0;font-size:16px}.warn ul{margin:4px 0 0;padding-left:20px}
table{border-collapse:collapse;margin:8px 0;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--panel);white-space:nowrap}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;word-break:break-all;max-width:260px}
table.sortable th{cursor:pointer}table.sortable th:hover{text-decoration:underline}
ul.ev{margin:0;padding-left:16px}ul.ev li{margin:0}
.sig{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px;color:var(--muted)}
.badge{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;color:#000}
.b-clear{background:var(--clear)}.b-watch{background:var(--watch)}.b-throttle{background:var(--throttle)}.b-block{background:var(--block);color:#fff}
.more{color:var(--muted);font-style:italic}
details.camp{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:0 12px}
details.camp[open]{padding-bottom:12px}details.camp>summary{cursor:pointer;padding:8px 0;font-weight:600}
details.camp>summary .sub{font-weight:400;color:var(--muted);margin-left:8px}
dl.ind{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0}dl.ind dt{font-weight:600}dl.ind dd{margin:0;word-break:break-all}
.members{word-break:break-all}.lg{margin-right:10px;white-space:nowrap;color:var(--muted)}
svg.chart{max-width:100%;height:auto;display:block;margin:6px 0}
svg .lbl{font-size:11px;fill:var(--muted)}svg .axis{stroke:var(--muted)}svg .grid{stroke:var(--line);stroke-dasharray:2 3}
svg .bar{fill:var(--accent)}svg .track{fill:var(--panel);stroke:var(--line)}
svg .rel line{stroke:var(--block);stroke-dasharray:4 3}svg .rel text{font-size:11px;fill:var(--block)}
svg .v-clear{fill:var(--clear)}svg .v-watch{fill:var(--watch)}svg .v-throttle{fill:var(--throttle)}svg .v-block{fill:var(--block)}
svg.mix,svg.sw{vertical-align:middle}
footer{margin-top:32px;color:var(--muted);font-size:12px}
`;

/** Sorts a table.sortable by the clicked column: numerically when both cells carry
 * data-v, as text otherwise. Only rows of the tbody move; nothing is read from the page
 * but cell text. */
const SCRIPT = `
document.querySelectorAll('table.sortable').forEach(function(t){
t.querySelectorAll('thead th').forEach(function(th,i){th.addEventListener('click',function(){
var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),dir=th.getAttribute('data-dir')==='desc'?'asc':'desc';
th.setAttribute('data-dir',dir);
rows.sort(function(x,y){var p=x.cells[i],q=y.cells[i];if(!p||!q)return 0;
var a=p.getAttribute('data-v'),c=q.getAttribute('data-v'),r;
if(a!==null&&c!==null){r=parseFloat(a)-parseFloat(c);}else{a=p.textContent;c=q.textContent;r=a<c?-1:a>c?1:0;}
return dir==='asc'?r:-r;});
rows.forEach(function(r){b.appendChild(r);});});});});
`;

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

/** Nothing may be fetched; only this stylesheet and this script may apply. */
const CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function time(s: string): string {
  return fmtTime(s) ?? h(s, LIMITS.idChars);
}

function num(n: number, text: string = fmtInt(n)): string {
  return `<td class="n" data-v="${Number.isFinite(n) ? n : 0}">${text}</td>`;
}

function more(n: number, what = 'more'): string {
  return n > 0 ? ` <span class="more">+${fmtInt(n)} ${what}</span>` : '';
}

function badge(kind: Verdict['verdict']): string {
  return `<span class="badge b-${kind}">${kind}</span>`;
}

function evidenceList(ev: readonly Evidence[], limit: number): string {
  if (ev.length === 0) return '';
  const items = ev
    .slice(0, limit)
    .map(
      (e) =>
        `<li><span class="sig">${h(e.signal, LIMITS.idChars)}</span> ${h(e.detail, LIMITS.textChars)}</li>`,
    );
  return `<ul class="ev">${items.join('')}</ul>`;
}

/** Anchors are by rank, never by campaign id: ids are data and do not belong in a URL. */
function anchor(rank: number): string {
  return `c-${rank}`;
}

function campaignsTable(campaigns: readonly Campaign[]): string {
  const { shown, more: n } = head(campaigns, LIMITS.campaignRows);
  const rows = shown.map((c, i) => {
    const mix = capabilityMix(c);
    const id =
      i < LIMITS.campaignSections
        ? `<a href="#${anchor(i + 1)}">${h(c.campaign_id, LIMITS.idChars)}</a>`
        : h(c.campaign_id, LIMITS.idChars);
    return (
      `<tr>${num(i + 1)}<td class="id">${id}</td>${num(c.score, fmtScore(c.score))}` +
      `${num(c.accounts.length)}${num(c.exchanges)}${num(c.output_tokens)}` +
      `<td class="mono">${time(c.first_seen)}</td><td class="mono">${time(c.last_seen)}</td>` +
      `<td>${mix.length > 0 ? capabilityBar(mix) : ''}</td><td>${evidenceList(c.evidence, LIMITS.campaignRowEvidence)}</td></tr>`
    );
  });
  return (
    `<p>${capabilityLegend()}</p>` +
    '<table class="sortable"><thead><tr><th class="n">#</th><th>campaign</th><th class="n">score</th>' +
    '<th class="n">accounts</th><th class="n">exchanges</th><th class="n">output tokens</th>' +
    '<th>first seen (UTC)</th><th>last seen (UTC)</th><th>capability mix</th><th>top evidence</th></tr></thead>' +
    `<tbody>${rows.join('\n')}</tbody></table>` +
    (n > 0 ? `<p class="more">+${fmtInt(n)} more campaigns (see campaigns.jsonl).</p>` : '')
  );
}

function evidenceTable(ev: readonly Evidence[]): string {
  const { shown, more: n } = head(ev, LIMITS.evidence);
  const rows = shown.map(
    (e) =>
      `<tr><td class="id">${h(e.signal, LIMITS.idChars)}</td>` +
      `<td class="n">${h(fmtValue(e.value), LIMITS.idChars)}</td><td class="n">${h(fmtValue(e.baseline), LIMITS.idChars)}</td>` +
      `<td class="n">${fmtNum(e.weight)}</td><td>${h(e.detail, 1000)}</td></tr>`,
  );
  return (
    '<table><thead><tr><th>signal</th><th class="n">value</th><th class="n">baseline</th><th class="n">weight</th><th>detail</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>${n > 0 ? `<p class="more">+${fmtInt(n)} more evidence items</p>` : ''}`
  );
}

function campaignSection(
  input: ReportInput,
  c: Campaign,
  rank: number,
  releases: readonly Release[],
): string {
  const out: string[] = [];
  out.push(
    `<details class="camp" id="${anchor(rank)}"${rank === 1 ? ' open' : ''}><summary>${rank}. <span class="mono">${h(c.campaign_id, LIMITS.idChars)}</span>` +
      `<span class="sub">score ${fmtScore(c.score)} · ${fmtInt(c.accounts.length)} accounts · ${fmtInt(c.exchanges)} exchanges · ` +
      `${fmtInt(c.output_tokens)} output tokens · ${time(c.first_seen)} → ${time(c.last_seen)} UTC</span></summary>`,
  );

  const s = buildSeries(input.period, timelineOf(input, c.campaign_id), releases);
  out.push('<h3>Timeline</h3>');
  if (s === null) out.push('<p class="more">No daily counts.</p>');
  else {
    out.push(
      timelineChart(
        s,
        `exchanges per ${s.binDays === 1 ? 'day' : `${s.binDays} days`} of campaign ${c.campaign_id}, peak ${fmtInt(s.max)}`,
      ),
    );
  }

  const mix = capabilityMix(c);
  if (mix.length > 0) out.push(`<h3>Capabilities</h3><p>${capabilityBar(mix, 360, 14)}</p>`);

  const kinds = Object.entries(c.indicators);
  if (kinds.length > 0) {
    out.push('<h3>Shared indicators</h3><dl class="ind">');
    for (const [kind, values] of kinds) {
      const { shown, more: n } = head(values, LIMITS.indicatorValues);
      out.push(
        `<dt>${h(kind, LIMITS.idChars)}</dt><dd class="mono">${shown.map((v) => h(v, LIMITS.idChars)).join(', ')}${more(n)}</dd>`,
      );
    }
    out.push('</dl>');
  }

  if (c.evidence.length > 0) out.push('<h3>Evidence</h3>', evidenceTable(c.evidence));

  const members = head(c.accounts, LIMITS.members);
  out.push(
    `<h3>Member accounts (${fmtInt(c.accounts.length)})</h3>` +
      `<p class="members mono">${members.shown.map((a) => h(a, LIMITS.idChars)).join(', ')}${more(members.more)}</p>`,
    '</details>',
  );
  return out.join('\n');
}

function flaggedTable(scan: VerdictScan, sectionRank: ReadonlyMap<string, number>): string {
  const rows = scan.topFlagged.map((v, i) => {
    let campaign = '';
    if (v.campaign_id !== null) {
      const rank = sectionRank.get(v.campaign_id);
      const text = h(v.campaign_id, LIMITS.idChars);
      campaign = rank === undefined ? text : `<a href="#${anchor(rank)}">${text}</a>`;
    }
    return (
      `<tr>${num(i + 1)}<td class="id">${h(v.account_id, LIMITS.idChars)}</td>` +
      `<td data-v="${VERDICT_KINDS.indexOf(v.verdict)}">${badge(v.verdict)}</td>${num(v.score, fmtScore(v.score))}` +
      `<td class="id">${campaign}</td><td>${evidenceList(v.evidence, LIMITS.accountRowEvidence)}</td></tr>`
    );
  });
  return (
    '<table class="sortable"><thead><tr><th class="n">#</th><th>account</th><th>verdict</th><th class="n">score</th>' +
    `<th>campaign</th><th>top evidence</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`
  );
}

export function renderHtml(input: ReportInput): string {
  const scan = scanVerdicts(input.verdicts);
  const releases = parseReleases(input.releases);
  const generated = fmtTime(input.generatedAt);
  const generatedText = generated === null ? h(input.generatedAt, LIMITS.idChars) : `${generated} UTC`;
  const sections = head(input.campaigns, LIMITS.campaignSections);
  const sectionRank = new Map<string, number>();
  sections.shown.forEach((c, i) => {
    if (!sectionRank.has(c.campaign_id)) sectionRank.set(c.campaign_id, i + 1);
  });
  const hasTimings = input.timings !== undefined && input.timings.length > 0;

  const out: string[] = [];
  out.push(
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>distillguard hunt report — ${generatedText}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    '<header><h1>distillguard hunt report</h1>',
    `<p class="meta">Generated ${generatedText} from <code>${h(input.source, LIMITS.textChars)}</code> by <code>${h(input.command, 1000)}</code></p></header>`,
    '<nav><a href="#summary">Summary</a><a href="#campaigns">Campaigns</a><a href="#flagged">Flagged accounts</a>' +
      `<a href="#scores">Score distribution</a><a href="#thresholds">Thresholds</a>${hasTimings ? '<a href="#timings">Timings</a>' : ''}</nav>`,
  );

  // Summary
  const c = input.counts;
  out.push(
    '<section id="summary">',
    `<p>${summaryText(
      input,
      (s) => h(s, LIMITS.idChars),
      (s) => `<b>${s}</b>`,
    )}</p>`,
    '<div class="figures">' +
      [
        ['exchanges', c.exchanges],
        ['accounts', c.accounts],
        ['flagged', c.flagged],
        ['campaigns', c.campaigns],
      ]
        .map(([label, n]) => `<div class="fig"><b>${fmtInt(n as number)}</b><span>${label}</span></div>`)
        .join('') +
      '</div>',
  );
  const inPeriod = head(releasesInPeriod(input.period, releases), LIMITS.releases);
  if (inPeriod.shown.length > 0) {
    const list = inPeriod.shown.map((r) => `${h(r.model, 60)} (${fmtDay(r.ms)})`).join(', ');
    out.push(
      `<p>Model releases in the period (dashed lines on the timelines): ${list}${more(inPeriod.more)}.</p>`,
    );
  }
  if (input.unavailableSignals.length > 0) {
    out.push(
      '<div class="warn" role="alert" id="unavailable-signals">',
      `<h2>⚠ Signals unavailable (${input.unavailableSignals.length})</h2>`,
      '<p>These signals could not be computed in this run; verdicts rest on the others.</p><ul>',
      ...input.unavailableSignals.map(
        (u) => `<li><code>${h(u.signal, LIMITS.idChars)}</code>: ${h(u.reason, LIMITS.textChars)}</li>`,
      ),
      '</ul></div>',
    );
  }
  const vc = input.verdictCounts;
  const kindsDesc = [...VERDICT_KINDS].reverse();
  out.push(
    '<h3>Verdicts</h3>',
    verdictBar(vc, kindsDesc),
    `<p>${kindsDesc.map((k) => `${badge(k)} ${fmtInt(vc[k])}`).join(' &nbsp; ')}</p>`,
    '</section>',
  );

  // Campaigns
  out.push('<section id="campaigns"><h2>Campaigns</h2>');
  if (input.campaigns.length === 0) out.push('<p>No campaigns detected.</p>');
  else {
    out.push(campaignsTable(input.campaigns), '<h3>Campaign details</h3>');
    for (const [i, camp] of sections.shown.entries()) out.push(campaignSection(input, camp, i + 1, releases));
    if (sections.more > 0) {
      out.push(
        `<p class="more">+${fmtInt(sections.more)} more campaigns not detailed here (see campaigns.jsonl).</p>`,
      );
    }
  }
  out.push('</section>');

  // Flagged accounts
  out.push('<section id="flagged"><h2>Flagged accounts</h2>');
  if (scan.topFlagged.length === 0) out.push('<p>No account flagged.</p>');
  else {
    out.push(
      `<p>Top ${fmtInt(scan.topFlagged.length)} of ${fmtInt(scan.flaggedTotal)} flagged accounts, by score. Click a column to sort.</p>`,
      flaggedTable(scan, sectionRank),
    );
    if (scan.flaggedTotal > scan.topFlagged.length) {
      out.push(
        `<p class="more">+${fmtInt(scan.flaggedTotal - scan.topFlagged.length)} more flagged accounts (see verdicts.jsonl).</p>`,
      );
    }
  }
  out.push('</section>');

  // Score distribution
  out.push(
    '<section id="scores"><h2>Score distribution</h2>',
    `<p>All ${fmtInt(scan.scored)} scored accounts in bins of ${fmtNum(1 / LIMITS.histogramBins)}; counts on a log scale; ` +
      'each bar is coloured by its most common verdict.</p>',
    histogramChart(scan.bins, scan.maxBin),
    '</section>',
  );

  // Thresholds
  out.push('<section id="thresholds"><h2>Thresholds</h2>');
  if (input.thresholds.length === 0) out.push('<p>None reported.</p>');
  else {
    out.push(
      '<table><thead><tr><th>name</th><th class="n">value</th><th>reason</th></tr></thead><tbody>',
      ...input.thresholds.map(
        (t) =>
          `<tr><td class="id">${h(t.name, LIMITS.idChars)}</td><td class="n">${fmtExact(t.value)}</td><td>${h(t.reason, 1000)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  out.push('</section>');

  if (hasTimings && input.timings !== undefined) {
    const sum = input.timings.reduce((a, t) => a + (Number.isFinite(t.seconds) ? t.seconds : 0), 0);
    out.push(
      '<section id="timings"><h2>Timings</h2>',
      '<table><thead><tr><th>stage</th><th class="n">seconds</th></tr></thead><tbody>',
      ...input.timings.map(
        (t) => `<tr><td>${h(t.stage, LIMITS.idChars)}</td><td class="n">${fmtSeconds(t.seconds)}</td></tr>`,
      ),
      `<tr><th>total</th><th class="n">${fmtSeconds(sum)}</th></tr></tbody></table></section>`,
    );
  }

  out.push(
    '<footer>Self-contained report: no external resources. Strings from the logs (account ids, indicators, ' +
      'evidence) are shown escaped and may be cut (…); full values are in verdicts.jsonl and campaigns.jsonl.</footer>',
    `<script>${SCRIPT}</script>`,
    '</body></html>',
  );
  return `${out.join('\n')}\n`;
}
