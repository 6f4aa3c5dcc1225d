/**
 * What of a prompt a caller may see. Analysts and admins read the raw text (clipped for the
 * page); viewers never receive it — they get the prompt's template (the first tokens of its
 * skeleton, the same key hunt's prompt_template indicators use) and its dgfp1 fingerprint. The
 * redaction happens here, on the server, before anything is serialised.
 */
import { templateKeys } from '../signals/index.js';
import { promptFingerprint, promptSkeleton } from '../text/index.js';
import type { PromptView } from './api-types.js';

/** Characters of raw prompt sent to the page (the rest is cut and flagged). */
export const PROMPT_DISPLAY_CHARS = 4_000;

export function promptView(text: string | null, storedFingerprint: string | null, raw: boolean): PromptView {
  if (text === null || text === '')
    return { prompt: null, skeleton: null, fingerprint: storedFingerprint, truncated: false };
  const fingerprint = storedFingerprint ?? promptFingerprint(text);
  if (!raw) {
    const key = templateKeys(text)[0];
    return { prompt: null, skeleton: key ?? null, fingerprint, truncated: false };
  }
  return {
    prompt: text.length > PROMPT_DISPLAY_CHARS ? text.slice(0, PROMPT_DISPLAY_CHARS) : text,
    skeleton: promptSkeleton(text),
    fingerprint,
    truncated: text.length > PROMPT_DISPLAY_CHARS,
  };
}
