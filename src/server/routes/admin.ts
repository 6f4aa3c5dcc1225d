/** Users and API tokens (admin role). Every change is journaled; secrets are shown once, never logged. */
import { Hono } from 'hono';
import { z } from 'zod';
import { jsonBody, parsePath, requireRole } from '../auth/middleware.js';
import { ROLES } from '../auth/roles.js';
import { Password, UserName } from '../auth/users.js';
import { actorOf, type ServerDeps } from '../deps.js';
import type { AppEnv } from '../env.js';
import { ApiError } from '../errors.js';

const NewUser = z.object({ name: UserName, role: z.enum(ROLES), password: Password.optional() });
const NewToken = z.object({ label: z.string().trim().min(1).max(128), role: z.enum(ROLES) });

export function adminRoutes(d: ServerDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireRole('admin'));

  app.get('/users', (c) => c.json({ users: d.users.users(), tokens: d.users.tokens() }));

  app.post('/users', async (c) => {
    const b = await jsonBody(c, NewUser);
    if (d.users.hasUser(b.name)) throw new ApiError('conflict', `user ${b.name} exists`);
    const password = await d.users.addUser(b.name, b.role, b.password);
    await d.journal.record(
      actorOf(c.get('principal')),
      { kind: 'user', id: b.name },
      { field: 'user', value: `created:${b.role}` },
      '',
    );
    d.log(`user created name=${b.name} role=${b.role}`);
    // The password is returned only when generated here (the caller has it otherwise).
    return c.json({ name: b.name, role: b.role, password: b.password === undefined ? password : null }, 201);
  });

  app.delete('/users/:name', async (c) => {
    const name = parsePath(UserName, c.req.param('name'), 'name');
    const p = c.get('principal');
    if (name === p.name) throw new ApiError('conflict', 'you cannot remove yourself');
    if (!(await d.users.removeUser(name))) throw new ApiError('not_found', `no user ${name}`);
    d.sessions.deleteUser(name);
    await d.journal.record(actorOf(p), { kind: 'user', id: name }, { field: 'user', value: 'removed' }, '');
    d.log(`user removed name=${name}`);
    return c.json({ ok: true });
  });

  app.post('/tokens', async (c) => {
    const b = await jsonBody(c, NewToken);
    const t = await d.users.addToken(b.label, b.role, c.get('principal').name);
    await d.journal.record(
      actorOf(c.get('principal')),
      { kind: 'token', id: t.id },
      { field: 'token', value: `created:${b.role}` },
      b.label,
    );
    d.log(`token created id=${t.id} role=${b.role}`);
    return c.json({ id: t.id, label: b.label, role: b.role, token: t.token }, 201);
  });

  app.delete('/tokens/:id', async (c) => {
    const id = parsePath(z.string().regex(/^[0-9a-f]{8}$/, '8 hex digits'), c.req.param('id'), 'id');
    if (!(await d.users.removeToken(id))) throw new ApiError('not_found', `no token ${id}`);
    await d.journal.record(
      actorOf(c.get('principal')),
      { kind: 'token', id },
      { field: 'token', value: 'revoked' },
      '',
    );
    d.log(`token revoked id=${id}`);
    return c.json({ ok: true });
  });

  return app;
}
