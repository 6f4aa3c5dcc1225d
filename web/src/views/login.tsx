/** The login form (the only page shown before authentication). */
import { useState } from 'react';
import type { SessionInfo } from '../../../src/server/api-types.js';
import { ApiFailure, post } from '../api.js';
import { ErrorBox } from '../components/common.js';

export function LoginView({ onLogin }: { onLogin: (s: SessionInfo) => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  return (
    <div className="login" data-view="login" data-ready="true">
      <h1>distillguard</h1>
      <p className="muted">Investigation dashboard — log in</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          post<SessionInfo>('/api/login', { user, password }).then(
            (s) => {
              setPassword('');
              onLogin(s);
            },
            (err: unknown) => {
              setBusy(false);
              setError(err instanceof ApiFailure ? err : new ApiFailure(0, 'network', String(err)));
            },
          );
        }}
      >
        <label>
          User
          <input
            name="user"
            autoComplete="username"
            value={user}
            onChange={(e) => setUser(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          Log in
        </button>
        <ErrorBox error={error} />
      </form>
      <p className="muted small">
        First time? Start the server with <code>distillguard serve --db … --init-admin</code>; it prints the
        admin password once.
      </p>
    </div>
  );
}
