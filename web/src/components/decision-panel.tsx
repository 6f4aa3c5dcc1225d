/**
 * Analyst decisions on a campaign or an account: confirm / dismiss / reopen, trust (accounts),
 * enforcement action. Every change needs a reason; the server journals it and answers with the
 * decisions now in force. Viewers see the decisions, not the controls.
 */
import { useEffect, useState } from 'react';
import type { Decisions } from '../../../src/server/api-types.js';
import { ApiFailure, enc, post } from '../api.js';
import { when } from '../format.js';
import { ErrorBox, StatusBadges } from './common.js';

const ACTIONS = ['allow', 'throttle', 'step_up', 'degrade', 'block'] as const;
const TRUSTS = ['known_customer', 'partner', 'none'] as const;

export function DecisionPanel({
  kind,
  id,
  decisions,
  canEdit,
  onChanged,
}: {
  kind: 'campaign' | 'account';
  id: string;
  decisions: Decisions;
  canEdit: boolean;
  onChanged: (d: Decisions) => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [action, setAction] = useState<string>(decisions.action ?? '');
  const [trust, setTrust] = useState<string>(decisions.trust ?? '');
  useEffect(() => {
    setAction(decisions.action ?? '');
    setTrust(decisions.trust ?? '');
  }, [decisions.action, decisions.trust]);

  const send = async (field: 'status' | 'trust' | 'action', value: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ decisions: Decisions }>(`/api/${kind}s/${enc(id)}/${field}`, {
        [field]: value,
        reason,
      });
      setReason('');
      onChanged(r.decisions);
    } catch (e) {
      setError(e instanceof ApiFailure ? e : new ApiFailure(0, 'network', String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="decisions" data-testid="decisions">
      <div>
        <strong>Decision:</strong> {decisions.status ?? 'open'} <StatusBadges d={decisions} />
        {decisions.updated_at !== null && (
          <span className="muted small">
            {' '}
            last changed {when(decisions.updated_at)} by {decisions.updated_by}
          </span>
        )}
      </div>
      {canEdit && (
        <form
          className="decision-form"
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <label>
            Why (kept in the audit journal)
            <textarea
              name="reason"
              className="reason-input"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              rows={2}
              maxLength={2000}
              placeholder="e.g. shared payment instrument and identical CoT template across all members"
            />
          </label>
          <div className="buttons">
            <button
              type="button"
              disabled={busy || decisions.status === 'confirmed'}
              onClick={() => void send('status', 'confirmed')}
            >
              Confirm {kind}
            </button>
            <button
              type="button"
              disabled={busy || decisions.status === 'dismissed'}
              onClick={() => void send('status', 'dismissed')}
            >
              Dismiss as false positive
            </button>
            {decisions.status !== null && (
              <button type="button" disabled={busy} onClick={() => void send('status', null)}>
                Reopen
              </button>
            )}
          </div>
          <div className="buttons">
            <label>
              Enforcement{' '}
              <select name="action" value={action} onChange={(e) => setAction(e.target.value)}>
                <option value="">(none: the detector's verdict applies)</option>
                {ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {a.replace('_', ' ')}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              disabled={busy || action === (decisions.action ?? '')}
              onClick={() => void send('action', action === '' ? null : action)}
            >
              Set action
            </button>
            {kind === 'account' && (
              <>
                <label>
                  Trust{' '}
                  <select name="trust" value={trust} onChange={(e) => setTrust(e.target.value)}>
                    <option value="">(not set)</option>
                    {TRUSTS.map((t) => (
                      <option key={t} value={t}>
                        {t.replace('_', ' ')}
                      </option>
                    ))}
                  </select>
                </label>
                <button
                  type="button"
                  disabled={busy || trust === (decisions.trust ?? '')}
                  onClick={() => void send('trust', trust === '' ? null : trust)}
                >
                  Set trust
                </button>
              </>
            )}
          </div>
          <ErrorBox error={error} />
        </form>
      )}
    </div>
  );
}
