/**
 * The users file: local users (scrypt-hashed passwords) and API tokens (SHA-256 of a 256-bit
 * secret: a random secret needs no slow hash), each with a role. JSON, written whole through a
 * temporary file and a rename, mode 0600. Created by `distillguard serve --init-admin`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { ServeConfigError } from '../errors.js';
import {
  DUMMY_HASH,
  generatePassword,
  hashPassword,
  isPasswordHash,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  verifyPassword,
} from './passwords.js';
import { ROLES, type Role } from './roles.js';

export const USERS_FILE_VERSION = 1;

export const UserName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/,
    'letters, digits and _ . @ - only, at most 64, starting with a letter or digit',
  );
export const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH);
export const RoleSchema = z.enum(ROLES);

const UserRecord = z.object({
  name: UserName,
  role: RoleSchema,
  password_hash: z.string().refine(isPasswordHash, 'not a scrypt hash'),
  created_at: z.string(),
});
const TokenRecord = z.object({
  id: z.string().regex(/^[0-9a-f]{8}$/),
  label: z.string().min(1).max(128),
  role: RoleSchema,
  secret_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  created_at: z.string(),
  created_by: z.string(),
});
const UsersFile = z.object({
  version: z.literal(USERS_FILE_VERSION),
  users: z.array(UserRecord),
  tokens: z.array(TokenRecord),
});
type UsersFile = z.infer<typeof UsersFile>;

export interface UserSummary {
  name: string;
  role: Role;
  created_at: string;
}
export interface TokenSummary {
  id: string;
  label: string;
  role: Role;
  created_at: string;
  created_by: string;
}

const TOKEN_RE = /^dgt_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class UserDirectory {
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string | null,
    private data: UsersFile,
  ) {}

  /** Reads the users file; throws ServeConfigError when it is missing or broken. */
  static async load(path: string): Promise<UserDirectory> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new ServeConfigError('no_users', `no users file at ${path}`);
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ServeConfigError('users_file', `${path}: not JSON`);
    }
    const r = UsersFile.safeParse(json);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new ServeConfigError(
        'users_file',
        `${path}: ${i?.path.join('.') ?? ''} ${i?.message ?? 'invalid'}`,
      );
    }
    return new UserDirectory(path, r.data);
  }

  /** An empty directory, written to `path` on the first change (null: kept in memory, for tests). */
  static empty(path: string | null): UserDirectory {
    return new UserDirectory(path, { version: USERS_FILE_VERSION, users: [], tokens: [] });
  }

  get size(): number {
    return this.data.users.length;
  }

  users(): UserSummary[] {
    return this.data.users.map(({ name, role, created_at }) => ({ name, role, created_at }));
  }

  tokens(): TokenSummary[] {
    return this.data.tokens.map(({ id, label, role, created_at, created_by }) => ({
      id,
      label,
      role,
      created_at,
      created_by,
    }));
  }

  /** The user's role when the password matches; null otherwise (same cost either way). */
  async verifyLogin(name: string, password: string): Promise<{ name: string; role: Role } | null> {
    const u = this.data.users.find((x) => x.name === name);
    const ok = await verifyPassword(password, u?.password_hash ?? DUMMY_HASH);
    return ok && u !== undefined ? { name: u.name, role: u.role } : null;
  }

  /** The token's label and role, or null when it is not a live token. */
  verifyToken(token: string): { id: string; label: string; role: Role } | null {
    const m = TOKEN_RE.exec(token);
    if (m === null) return null;
    const t = this.data.tokens.find((x) => x.id === m[1]);
    if (t === undefined) return null;
    const a = Buffer.from(sha256(m[2] as string), 'hex');
    const b = Buffer.from(t.secret_sha256, 'hex');
    return timingSafeEqual(a, b) ? { id: t.id, label: t.label, role: t.role } : null;
  }

  /** Adds a user; returns the password (generated when none is given). */
  async addUser(name: string, role: Role, password?: string): Promise<string> {
    UserName.parse(name);
    if (this.data.users.some((u) => u.name === name))
      throw new ServeConfigError('bad_option', `user ${name} exists`);
    const pw = password ?? generatePassword();
    Password.parse(pw);
    const password_hash = await hashPassword(pw);
    this.data = {
      ...this.data,
      users: [...this.data.users, { name, role, password_hash, created_at: new Date().toISOString() }],
    };
    await this.save();
    return pw;
  }

  hasUser(name: string): boolean {
    return this.data.users.some((u) => u.name === name);
  }

  async removeUser(name: string): Promise<boolean> {
    const users = this.data.users.filter((u) => u.name !== name);
    if (users.length === this.data.users.length) return false;
    this.data = { ...this.data, users };
    await this.save();
    return true;
  }

  /** Creates an API token; returns it whole (shown once: only its hash is kept). */
  async addToken(label: string, role: Role, createdBy: string): Promise<{ id: string; token: string }> {
    let id = randomBytes(4).toString('hex');
    while (this.data.tokens.some((t) => t.id === id)) id = randomBytes(4).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    this.data = {
      ...this.data,
      tokens: [
        ...this.data.tokens,
        {
          id,
          label,
          role,
          secret_sha256: sha256(secret),
          created_at: new Date().toISOString(),
          created_by: createdBy,
        },
      ],
    };
    await this.save();
    return { id, token: `dgt_${id}_${secret}` };
  }

  async removeToken(id: string): Promise<boolean> {
    const tokens = this.data.tokens.filter((t) => t.id !== id);
    if (tokens.length === this.data.tokens.length) return false;
    this.data = { ...this.data, tokens };
    await this.save();
    return true;
  }

  private save(): Promise<void> {
    const path = this.path;
    if (path === null) return Promise.resolve();
    const text = `${JSON.stringify(this.data, null, 2)}\n`;
    const run = this.writes.then(async () => {
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, text, { mode: 0o600 });
        await rename(tmp, path);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    });
    this.writes = run.catch(() => undefined);
    return run;
  }
}
