/** Users and API tokens (admins). Generated passwords and tokens are shown once. */
import { useState } from 'react';
import { ApiFailure, del, post } from '../api.js';
import { ErrorBox, Loading, Panel } from '../components/common.js';
import { when } from '../format.js';
import { useApi } from '../use-api.js';

interface UsersReply {
  users: { name: string; role: string; created_at: string }[];
  tokens: { id: string; label: string; role: string; created_at: string; created_by: string }[];
}

export function AdminView({ me }: { me: string }) {
  const list = useApi<UsersReply>('/api/admin/users');
  const [name, setName] = useState('');
  const [role, setRole] = useState('analyst');
  const [label, setLabel] = useState('');
  const [tokenRole, setTokenRole] = useState('viewer');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  const run = async (f: () => Promise<void>) => {
    setError(null);
    try {
      await f();
      list.reload();
    } catch (e) {
      setError(e instanceof ApiFailure ? e : new ApiFailure(0, 'network', String(e)));
    }
  };
  return (
    <div className="view" data-view="admin" data-ready={list.data !== null ? 'true' : 'false'}>
      <h1>Users and API tokens</h1>
      <ErrorBox error={error ?? list.error} />
      {secret !== null && (
        <p className="notice" data-testid="secret">
          Shown once, copy it now: <code>{secret}</code>
        </p>
      )}
      <div className="grid2">
        <Panel title="Users">
          {list.data === null ? (
            <Loading what="users" />
          ) : (
            <table>
              <tbody>
                {list.data.users.map((u) => (
                  <tr key={u.name}>
                    <td>{u.name}</td>
                    <td>{u.role}</td>
                    <td className="small">{when(u.created_at)}</td>
                    <td>
                      {u.name !== me && (
                        <button
                          type="button"
                          onClick={() =>
                            void run(
                              async () => void (await del(`/api/admin/users/${encodeURIComponent(u.name)}`)),
                            )
                          }
                        >
                          remove
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                const r = await post<{ password: string | null }>('/api/admin/users', { name, role });
                setSecret(r.password === null ? null : `password of ${name}: ${r.password}`);
                setName('');
              });
            }}
          >
            <input
              name="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="new user name"
            />
            <RoleSelect name="role" value={role} onChange={setRole} />
            <button type="submit">Add user</button>
          </form>
        </Panel>
        <Panel title="API tokens">
          {list.data === null ? (
            <Loading what="tokens" />
          ) : (
            <table>
              <tbody>
                {list.data.tokens.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <code>{t.id}</code> {t.label}
                    </td>
                    <td>{t.role}</td>
                    <td className="small">
                      {when(t.created_at)} by {t.created_by}
                    </td>
                    <td>
                      <button
                        type="button"
                        onClick={() => void run(async () => void (await del(`/api/admin/tokens/${t.id}`)))}
                      >
                        revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                const r = await post<{ token: string }>('/api/admin/tokens', { label, role: tokenRole });
                setSecret(`token "${label}": ${r.token}`);
                setLabel('');
              });
            }}
          >
            <input
              name="label"
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              placeholder="what it is for"
            />
            <RoleSelect name="tokenRole" value={tokenRole} onChange={setTokenRole} />
            <button type="submit">Create token</button>
          </form>
        </Panel>
      </div>
    </div>
  );
}

/** The roles a user or an API token can be given. */
function RoleSelect({
  name,
  value,
  onChange,
}: {
  name: string;
  value: string;
  onChange: (v: string) => void;
}) {
  return (
    <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="viewer">viewer</option>
      <option value="analyst">analyst</option>
      <option value="admin">admin</option>
    </select>
  );
}
