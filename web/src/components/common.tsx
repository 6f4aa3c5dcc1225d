/** Small shared pieces: loading and error states, badges, capability mix bars, evidence lists. */
import type { ReactNode } from 'react';
import type { Decisions, EvidenceItem } from '../../../src/server/api-types.js';
import type { ApiFailure } from '../api.js';
import { CAPABILITY_COLORS, num, pct, VERDICT_COLORS } from '../format.js';
import { href } from '../router.js';

export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}

export function ErrorBox({ error }: { error: ApiFailure | null }) {
  if (error === null) return null;
  return (
    <div className="error" role="alert">
      {error.message}
      {error.issues.length > 0 && (
        <ul>
          {error.issues.map((i) => (
            <li key={i.field}>
              <code>{i.field}</code>: {i.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function VerdictBadge({ verdict }: { verdict: string | null }) {
  if (verdict === null) return <span className="badge">–</span>;
  return (
    <span className="badge" style={{ background: VERDICT_COLORS[verdict] ?? '#ccc' }}>
      {verdict}
    </span>
  );
}

export function StatusBadges({ d }: { d: Decisions }) {
  return (
    <span className="status-badges">
      {d.status !== null && <span className={`badge status-${d.status}`}>{d.status}</span>}
      {d.trust !== null && d.trust !== 'none' && (
        <span className="badge trust">{d.trust.replace('_', ' ')}</span>
      )}
      {d.action !== null && <span className="badge action">action: {d.action.replace('_', ' ')}</span>}
    </span>
  );
}

export function CapabilityBar({ mix }: { mix: Record<string, number> }) {
  const entries = Object.entries(mix).sort((a, b) => b[1] - a[1]);
  const title = entries.map(([k, v]) => `${k} ${pct(v)}`).join(', ');
  return (
    <span className="capbar" title={title} role="img" aria-label={title}>
      {entries.map(([k, v]) => (
        <span key={k} style={{ width: `${v * 100}%`, background: CAPABILITY_COLORS[k] ?? '#ccc' }} />
      ))}
    </span>
  );
}

export function EvidenceList({ items }: { items: EvidenceItem[] }) {
  if (items.length === 0) return <p className="muted">No evidence: nothing stood out.</p>;
  return (
    <table className="evidence">
      <thead>
        <tr>
          <th>why</th>
          <th className="num">value</th>
          <th className="num">baseline</th>
          <th className="num">weight</th>
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.signal}>
            <td>
              {e.words}
              <div className="muted small">
                <code>{e.signal}</code>
              </div>
            </td>
            <td className="num">{num(e.value)}</td>
            <td className="num">{num(e.baseline)}</td>
            <td className="num">{num(e.weight)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Panel({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="panel">
      <header>
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div className="tile">
      <div className="tile-value">{value}</div>
      <div className="tile-label">{label}</div>
    </div>
  );
}

/** A campaign id as a link to its page, or a dash when there is none. */
export function CampaignLink({ id }: { id: string | null }) {
  return id === null ? '–' : <a href={href.campaign(id)}>{id}</a>;
}
