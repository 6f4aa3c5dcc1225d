/** Roles, least to most privileged: a role may do everything the ones before it may. */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

/** Viewers never receive raw prompt or system-prompt text (issue 6): only fingerprints and skeletons. */
export function mayReadRawText(role: Role): boolean {
  return roleAtLeast(role, 'analyst');
}

/** Who is calling, as established by the session cookie or an API token. */
export interface Principal {
  name: string;
  role: Role;
  via: 'session' | 'token';
  /** Set for sessions: the CSRF token the session's mutations must echo. */
  csrf: string | null;
  sessionId: string | null;
}
