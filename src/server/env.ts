/** Typed context variables of the API (STYLE.md §4: middleware sets them, handlers read them). */
import type { Principal } from './auth/roles.js';

export interface AppEnv {
  Variables: {
    principal: Principal;
  };
}
