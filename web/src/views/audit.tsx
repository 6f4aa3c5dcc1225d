/** The whole audit journal, newest first. */
import type { AuditPage } from '../../../src/server/api-types.js';
import { AuditList } from '../components/audit-list.js';
import { ErrorBox, Loading, Panel } from '../components/common.js';
import { useApi } from '../use-api.js';

export function AuditView() {
  const a = useApi<AuditPage>('/api/audit?limit=500');
  return (
    <div className="view" data-view="audit" data-ready={a.data !== null ? 'true' : 'false'}>
      <h1>Audit journal</h1>
      <ErrorBox error={a.error} />
      <Panel title={a.data === null ? 'Entries' : `Entries (${a.data.total})`}>
        {a.data === null ? <Loading what="the journal" /> : <AuditList items={a.data.items} showTarget />}
      </Panel>
    </div>
  );
}
