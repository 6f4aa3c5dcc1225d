/**
 * Per-account (or per end user) summary of the text stage over sampled exchanges: how much of
 * the traffic elicits reasoning traces, which capabilities it asks for, and how concentrated it
 * is on a few templates. Counts, not shares: shares are taken later with a prior, so that five
 * prompts never weigh like five hundred.
 *
 * Degrades with what the deployment ships: raw prompts give every field; a fingerprint alone
 * gives only `fingerprints` (near-duplicate linking); neither gives nothing, and the caller
 * reports the text signals as unavailable.
 */
import type { Capability } from '../formats/index.js';
import { CAPABILITIES } from '../formats/index.js';
import {
  classifyCapability,
  detectElicitation,
  ELICITATION_KINDS,
  type Elicitation,
  hasElicitation,
  promptSkeleton,
} from '../text/index.js';

/** Tokens of the skeleton's head kept in the template key: the wrapper of a template (persona,
 * instruction, output format) sits at its start while the task varies; 8 tokens hold one
 * instruction clause without much of the task. */
export const TEMPLATE_HEAD_TOKENS = 8;
/** Characters of a prompt skeletonised for its template key (8 tokens fit many times over). */
export const TEMPLATE_HEAD_CHARS = 400;
/** Prompts shorter than this many skeleton tokens carry no template key ("continue", "thanks"). */
export const TEMPLATE_MIN_TOKENS = 6;

export interface TextSummary {
  /** Sampled exchanges, and those with raw text / a fingerprint. */
  sampled: number;
  withText: number;
  withFingerprint: number;
  /** Prompts with a strong (trace-harvesting specific) elicitation hit, and with any hit. */
  strong: number;
  elicited: number;
  /** Hits per elicitation kind (ELICITATION_KINDS order). */
  kinds: number[];
  /** Prompts per capability (CAPABILITIES order). */
  capabilities: number[];
  /** Template key → prompts. */
  templates: Map<string, number>;
  /** The distinct `prompt_fingerprint`s sampled (lower-case hex; at most PROFILE_MAX_FINGERPRINTS,
   * later new ones are not kept, so the state stays bounded): the account's prompt profile,
   * compared across accounts by `src/link/profile.ts`. */
  fingerprints: Set<string>;
}

/** Distinct fingerprints a profile counts: the text sample is 64 per account, and an account's
 * template shows within far fewer; the bound keeps a long-running driver's state small. */
export const PROFILE_MAX_FINGERPRINTS = 64;

export function emptyTextSummary(): TextSummary {
  return {
    sampled: 0,
    withText: 0,
    withFingerprint: 0,
    strong: 0,
    elicited: 0,
    kinds: new Array<number>(ELICITATION_KINDS.length).fill(0),
    capabilities: new Array<number>(CAPABILITIES.length).fill(0),
    templates: new Map(),
    fingerprints: new Set(),
  };
}

/** The text features of one exchange. */
export interface ExchangeText {
  strong: boolean;
  mask: number;
  capability: Capability;
  /** Template keys (head, tail); the head counts for concentration. */
  templates: string[];
}

const CAP_INDEX = new Map<Capability, number>(CAPABILITIES.map((c, i) => [c, i]));

/**
 * Keys of the template a prompt follows: its skeleton's head (the first tokens). The tail was
 * tried as a second key (a wrapper may follow the task) and dropped: on the tuning seed the
 * last tokens were most often the end of the task itself, which joined an evaluation harness
 * sending GSM8K verbatim to the campaigns wrapping the same GSM8K items. Empty for short prompts.
 */
export function templateKeys(prompt: string): string[] {
  // The key needs the first few tokens only: skeletonising the whole prompt cost 3x more.
  const tokens = promptSkeleton(
    prompt.length > TEMPLATE_HEAD_CHARS ? prompt.slice(0, TEMPLATE_HEAD_CHARS) : prompt,
  )
    .split(' ')
    .filter((t) => t !== '');
  if (tokens.length < TEMPLATE_MIN_TOKENS) return [];
  return [`head: ${tokens.slice(0, TEMPLATE_HEAD_TOKENS).join(' ')}`];
}

/**
 * The text features of one exchange. `withCapability: false` skips the capability model (the
 * first, wide pass of `hunt` needs only what scores: elicitation and templates) and labels the
 * capability from the elicitation rules alone, else 'other'.
 */
export function analyzeExchange(
  prompt: string | null,
  systemPrompt: string | null,
  toolCount: number,
  withCapability = true,
): ExchangeText {
  const elicitation = detectElicitation(prompt ?? undefined, systemPrompt ?? undefined);
  const capability = withCapability
    ? classifyCapability(prompt ?? undefined, {
        toolCount: Number.isFinite(toolCount) ? toolCount : undefined,
        systemPrompt: systemPrompt ?? undefined,
        elicitation,
      })
    : ruleCapability(elicitation, toolCount);
  return {
    strong: elicitation.strong,
    mask: elicitation.mask,
    capability,
    templates: prompt === null || prompt === '' ? [] : templateKeys(prompt),
  };
}

function ruleCapability(e: Elicitation, toolCount: number): Capability {
  if (toolCount > 0) return 'tool_use';
  if (hasElicitation(e, 'rubric_grading')) return 'grading';
  if (hasElicitation(e, 'policy_rewrite')) return 'policy_rewrite';
  if (e.strong) return 'reasoning';
  return 'other';
}

/** Prompts longer than this are analysed without caching (they rarely repeat). */
export const CACHE_MAX_PROMPT_CHARS = 4_000;

/**
 * `analyzeExchange` with a bounded cache of repeated exchanges (an agent's "continue", tool
 * outputs, an app's fixed system prompt with common questions): the analysis is a pure
 * function of prompt, system prompt and whether tools were sent. The cache is emptied when it
 * reaches `maxEntries`.
 */
export function createTextAnalyzer(
  maxEntries = 100_000,
  withCapability = true,
): (prompt: string | null, systemPrompt: string | null, toolCount: number) => ExchangeText {
  const cache = new Map<string, ExchangeText>();
  return (prompt, systemPrompt, toolCount) => {
    if (prompt === null || prompt.length > CACHE_MAX_PROMPT_CHARS)
      return analyzeExchange(prompt, systemPrompt, toolCount, withCapability);
    const key = `${toolCount > 0 ? 1 : 0}\u0000${systemPrompt ?? ''}\u0000${prompt}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const t = analyzeExchange(prompt, systemPrompt, toolCount, withCapability);
    if (cache.size >= maxEntries) cache.clear();
    cache.set(key, t);
    return t;
  };
}

/** 0000000000000000: a prompt with no words (fingerprint.md: never a match). */
const EMPTY_FP = '0000000000000000';

/**
 * Adds one sampled exchange. `fingerprint` (its `prompt_fingerprint`, when the caller has it)
 * feeds the prompt profile; `hasFingerprint` alone only counts it.
 */
export function addToSummary(
  s: TextSummary,
  t: ExchangeText | null,
  hasFingerprint: boolean,
  fingerprint?: string | null,
): void {
  s.sampled++;
  if (hasFingerprint) s.withFingerprint++;
  if (typeof fingerprint === 'string') addFingerprint(s, fingerprint);
  if (t === null) return;
  s.withText++;
  if (t.strong) s.strong++;
  if (t.mask !== 0) s.elicited++;
  for (let k = 0; k < ELICITATION_KINDS.length; k++)
    if ((t.mask & (1 << k)) !== 0) s.kinds[k] = (s.kinds[k] ?? 0) + 1;
  const ci = CAP_INDEX.get(t.capability) ?? CAPABILITIES.length - 1;
  s.capabilities[ci] = (s.capabilities[ci] ?? 0) + 1;
  const head = t.templates[0];
  if (head !== undefined) s.templates.set(head, (s.templates.get(head) ?? 0) + 1);
}

/** Share with a prior of `prior` pseudo-observations at 0: few samples never give a high share. */
export function shrunkShare(hits: number, n: number, prior = 4): number {
  return n + prior > 0 ? hits / (n + prior) : 0;
}

/** The dominant capability and its share of the prompts with text. */
export function topCapability(s: TextSummary): { capability: Capability; share: number } | null {
  if (s.withText === 0) return null;
  let best = 0;
  for (let i = 1; i < s.capabilities.length; i++)
    if ((s.capabilities[i] ?? 0) > (s.capabilities[best] ?? 0)) best = i;
  return { capability: CAPABILITIES[best] as Capability, share: (s.capabilities[best] ?? 0) / s.withText };
}

/** Share of the prompts with text that follow the account's most used template. */
export function topTemplateShare(s: TextSummary): number {
  if (s.withText === 0) return 0;
  let m = 0;
  for (const c of s.templates.values()) if (c > m) m = c;
  return m / s.withText;
}

/** Keeps a sampled fingerprint for the prompt profile (distinct ones, bounded). */
export function addFingerprint(s: TextSummary, fingerprint: string): void {
  if (fingerprint.length !== 16) return;
  const fp = fingerprint.toLowerCase();
  if (fp === EMPTY_FP || s.fingerprints.size >= PROFILE_MAX_FINGERPRINTS) return;
  s.fingerprints.add(fp);
}
