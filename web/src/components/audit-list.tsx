/** Audit entries (who, what, when, why), newest first. */
import type { AuditEntry } from '../../../src/server/api-types.js';
import { when } from '../format.js';
import { href } from '../router.js';
import { Loading, Panel } from './common.js';

export function AuditList({ items, showTarget }: { items: AuditEntry[]; showTarget: boolean }) {
  if (items.length === 0) return <p className="muted">No decisions recorded yet.</p>;
  return (
    <table className="audit" data-testid="audit">
      <thead>
        <tr>
          <th>when (UTC)</th>
          <th>who</th>
          {showTarget && <th>target</th>}
          <th>what</th>
          <th>why</th>
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.seq}>
            <td>{when(e.ts)}</td>
            <td>
              {e.actor} <span className="muted small">({e.role})</span>
            </td>
            {showTarget && (
              <td>
                {e.target.kind === 'campaign' ? (
                  <a href={href.campaign(e.target.id)}>{e.target.id}</a>
                ) : e.target.kind === 'account' ? (
                  <a href={href.account(e.target.id)}>{e.target.id}</a>
                ) : (
                  `${e.target.kind} ${e.target.id}`
                )}
              </td>
            )}
            <td>
              {e.field}: {e.previous ?? '–'} → <strong>{e.value ?? '(cleared)'}</strong>
            </td>
            <td>{e.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The audit trail of one campaign or account (null while loading). */
export function AuditPanel({ items }: { items: AuditEntry[] | null }) {
  return (
    <Panel title="Audit trail">
      {items === null ? <Loading what="the audit trail" /> : <AuditList items={items} showTarget={false} />}
    </Panel>
  );
}
