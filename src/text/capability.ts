/**
 * Capability of a prompt: which of the CAPABILITIES (src/formats/schemas.ts) it exercises, so
 * that a campaign's volume can be described by what it harvests (THREAT-MODEL.md: "volume
 * concentrated in a few capability areas").
 *
 * Cheap rules first, in this order of precedence (each a documented, specific signal):
 *   1. no text → 'other';
 *   2. an image or screenshot reference ("[screenshot attached]", "in the image") → 'vision';
 *   3. tools sent with the request (hints.toolCount > 0) or a tool result fed back as the user
 *      turn ("Tool result (bash): …", "Observation: …", a function-call output) → 'tool_use';
 *   4. elicitation (elicitation.ts): rubric_grading → 'grading', policy_rewrite → 'policy_rewrite',
 *      a strong cot / trace / thinking-language hit in the prompt or system prompt → 'reasoning';
 *   5. an explicit data-analysis request (a dataset, table, CSV or "data analyst") →
 *      'data_analysis';
 *   6. otherwise a multinomial naive Bayes model over hashed word unigrams and bigrams, trained on
 *      public labelled prompts (bench/text/train-capability.ts; figures in
 *      bench/results/capability.md) over five classes: coding, math, creative, general_chat,
 *      tool_use.
 *
 * Model file (src/text/model/capability-v1.json): `{ version, buckets, classes, alpha, scale,
 * base, weights }` where `weights` is base64 of the gzip of a classes × buckets uint8 array
 * (class-major). Weight q of class c in bucket b stands for the log-likelihood
 * base[c] + scale · q; q = 0 is "never seen with this class". Uniform class priors: the training
 * mix (7,473 GSM8K problems, 3,610 search queries) says nothing about traffic.
 *
 * Features: dgfp1 tokens (normalize.ts: NFKC, lower case, numbers → 0, CJK characters one
 * token each) of the first FEATURE_CHARS characters; unigrams and bigrams hashed with FNV-1a 32
 * over UTF-16 code units into `buckets` buckets, each counted once per prompt.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { CAPABILITIES, type Capability } from '../formats/index.js';
import { detectElicitation, ELICITATION_BIT, type Elicitation } from './elicitation.js';
import { promptTokens } from './normalize.js';

export type { Capability };

/** Version of the shipped model (the file name carries it too). */
export const CAPABILITY_MODEL_VERSION = 'capability-v1';

/** Prompts are classified on their first FEATURE_CHARS characters: the request is stated at the
 * start, and a pasted document after it would only cost time. */
export const FEATURE_CHARS = 2000;

/** The model as shipped in the JSON file. */
export interface CapabilityModelFile {
  version: string;
  buckets: number;
  classes: string[];
  alpha: number;
  scale: number;
  base: number[];
  /** base64(gzip(uint8[classes.length * buckets])), class-major. */
  weights: string;
}

/** The model ready for scoring. */
export interface CapabilityModel {
  version: string;
  buckets: number;
  classes: Capability[];
  scale: number;
  base: Float64Array;
  weights: Uint8Array;
}

// ---- features --------------------------------------------------------------------------------

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;
/** Mixes the previous token's hash into a bigram hash (odd multiplier, xor-shift). */
const BIGRAM_MUL = 0x9e3779b1;

function fnv32(s: string): number {
  let h = FNV32_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV32_PRIME);
  return h;
}

function fmix32(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Per-bucket stamp of the last call that saw it: dedupes features in O(n) without sorting. One
 * byte per bucket (cleared every 255 calls) keeps the table small enough to stay in cache. */
let seen = new Uint8Array(0);
let stamp = 0;

/** State of one capabilityFeatures call (module scratch: the function is not re-entrant). */
const NO_OUT: number[] = [];
let featOut: number[] = NO_OUT;
let featMask = 0;
let featPrev = 0;
let featCount = 0;

/** Adds the unigram of a token with FNV-1a hash `h`, and its bigram with the previous token. */
function addToken(h: number): void {
  const u = fmix32(h) & featMask;
  if (seen[u] !== stamp) {
    seen[u] = stamp;
    featOut.push(u);
  }
  if (featCount > 0) {
    const b = fmix32(Math.imul(featPrev, BIGRAM_MUL) ^ h ^ 0x5bd1e995) & featMask;
    if (seen[b] !== stamp) {
      seen[b] = stamp;
      featOut.push(b);
    }
  }
  featPrev = h;
  featCount++;
}

const NON_ASCII = /[\u0080-\uffff]/;
/** ASCII symbols that are tokens by themselves in promptTokens (Sc, Sk, Sm): `$ + < = > ^ \` | ~`. */
const ASCII_SYMBOL = new Uint8Array(128);
for (const ch of '$+<=>^`|~') ASCII_SYMBOL[ch.charCodeAt(0)] = 1;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * promptTokens (normalize.ts) of an ASCII text, hashed as it is read, without building the
 * lower-cased copy, the number-replaced copy and the token strings: a letter or digit run is a
 * token (upper case folded), a number (digits with `.` or `,` groups, normalize.ts NUMBER) reads
 * as "0", and each of `$ + < = > ^ \` | ~` is a token by itself. Same tokens, same hashes.
 */
function addAsciiTokens(text: string): void {
  let h = FNV32_OFFSET;
  let inToken = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (isDigit(c)) {
      // A whole number → "0".
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      while (
        j + 1 < n &&
        (text.charCodeAt(j) === 46 || text.charCodeAt(j) === 44) &&
        isDigit(text.charCodeAt(j + 1))
      ) {
        j += 2;
        while (j < n && isDigit(text.charCodeAt(j))) j++;
      }
      if (!inToken) {
        h = FNV32_OFFSET;
        inToken = true;
      }
      h = Math.imul(h ^ 48, FNV32_PRIME);
      i = j - 1;
      continue;
    }
    if (c >= 65 && c <= 90) c += 32;
    if (c >= 97 && c <= 122) {
      if (!inToken) {
        h = FNV32_OFFSET;
        inToken = true;
      }
      h = Math.imul(h ^ c, FNV32_PRIME);
      continue;
    }
    if (inToken) {
      addToken(h);
      inToken = false;
    }
    if (ASCII_SYMBOL[c] === 1) addToken(Math.imul(FNV32_OFFSET ^ c, FNV32_PRIME));
  }
  if (inToken) addToken(h);
}

/**
 * The distinct feature buckets of a text (unigrams and bigrams) in order of first occurrence,
 * appended to `out` (cleared first); `buckets` must be a power of two. Shared by the trainer and
 * the classifier. Not re-entrant (module scratch). Reads only the first FEATURE_CHARS characters;
 * ASCII texts are tokenised and hashed in one pass (addAsciiTokens), others through promptTokens.
 */
export function capabilityFeatures(text: string, buckets: number, out: number[] = []): number[] {
  out.length = 0;
  if (seen.length !== buckets) {
    seen = new Uint8Array(buckets);
    stamp = 0;
  }
  stamp++;
  if (stamp === 0x100) {
    seen.fill(0);
    stamp = 1;
  }
  featOut = out;
  featMask = buckets - 1;
  featPrev = 0;
  featCount = 0;
  const head = text.length > FEATURE_CHARS ? text.slice(0, FEATURE_CHARS) : text;
  if (!NON_ASCII.test(head)) addAsciiTokens(head);
  else for (const t of promptTokens(head)) addToken(fnv32(t));
  featOut = NO_OUT;
  return out;
}

// ---- model -----------------------------------------------------------------------------------

const KNOWN: ReadonlySet<string> = new Set<string>(CAPABILITIES);

/** Typed error for a missing or malformed model file (a packaging error, not a data error). */
export class CapabilityModelError extends Error {
  override readonly name = 'CapabilityModelError';
  readonly code = 'capability_model_invalid';
}

/** Decode and check a model file's contents. */
export function decodeCapabilityModel(file: CapabilityModelFile): CapabilityModel {
  const { buckets, classes } = file;
  if (!Number.isInteger(buckets) || buckets <= 0 || (buckets & (buckets - 1)) !== 0)
    throw new CapabilityModelError(`buckets must be a power of two, got ${buckets}`);
  for (const c of classes) if (!KNOWN.has(c)) throw new CapabilityModelError(`unknown class ${c}`);
  if (file.base.length !== classes.length) throw new CapabilityModelError('base has the wrong length');
  const weights = new Uint8Array(gunzipSync(Buffer.from(file.weights, 'base64')));
  if (weights.length !== classes.length * buckets)
    throw new CapabilityModelError(`weights: ${weights.length} bytes, expected ${classes.length * buckets}`);
  return {
    version: file.version,
    buckets,
    classes: classes as Capability[],
    scale: file.scale,
    base: Float64Array.from(file.base),
    weights,
  };
}

/**
 * Where the model file is: beside this module under vitest (src/text/model/), or, from the
 * compiled dist/src/text/, either copied beside it or in the package's src/text/model/.
 */
const MODEL_CANDIDATES = [
  `./model/${CAPABILITY_MODEL_VERSION}.json`,
  `../../../src/text/model/${CAPABILITY_MODEL_VERSION}.json`,
];

let loaded: CapabilityModel | undefined;

/** The shipped model, read once. Throws CapabilityModelError when the file cannot be found. */
export function capabilityModel(): CapabilityModel {
  if (loaded !== undefined) return loaded;
  for (const rel of MODEL_CANDIDATES) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(path)) continue;
    loaded = decodeCapabilityModel(JSON.parse(readFileSync(path, 'utf8')) as CapabilityModelFile);
    return loaded;
  }
  throw new CapabilityModelError(
    `${CAPABILITY_MODEL_VERSION}.json not found beside ${import.meta.url} (looked in ${MODEL_CANDIDATES.join(', ')})`,
  );
}

const featureScratch: number[] = [];

/** The weights of each model bucket-major (the classes' weights of one bucket side by side), so a
 * feature costs one cache line instead of one per class. Built once per model. */
const bucketMajor = new WeakMap<CapabilityModel, Uint8Array>();

function weightsByBucket(model: CapabilityModel): Uint8Array {
  let w = bucketMajor.get(model);
  if (w === undefined) {
    const k = model.classes.length;
    w = new Uint8Array(model.buckets * k);
    for (let c = 0; c < k; c++) {
      const row = c * model.buckets;
      for (let b = 0; b < model.buckets; b++) w[b * k + c] = model.weights[row + b]!;
    }
    bucketMajor.set(model, w);
  }
  return w;
}

/** Per-class sums of quantised weights of the last scored text (module scratch). */
let qSums = new Float64Array(8);

/** Fills qSums with the per-class weight sums of `feats`; returns the class count. */
function sumWeights(feats: readonly number[], model: CapabilityModel): number {
  const k = model.classes.length;
  if (qSums.length < k) qSums = new Float64Array(k);
  qSums.fill(0, 0, k);
  const w = weightsByBucket(model);
  const q = qSums;
  for (const b of feats) {
    const at = b * k;
    for (let c = 0; c < k; c++) q[c] = q[c]! + w[at + c]!;
  }
  return k;
}

/** Per-class log-likelihood scores of a text under `model` (uniform priors), in model.classes order. */
export function capabilityScores(text: string, model: CapabilityModel = capabilityModel()): Float64Array {
  const feats = capabilityFeatures(text, model.buckets, featureScratch);
  const k = sumWeights(feats, model);
  const scores = new Float64Array(k);
  for (let c = 0; c < k; c++) scores[c] = feats.length * model.base[c]! + model.scale * qSums[c]!;
  return scores;
}

/** The model's class for a text (ties go to the earlier class). Same scores as capabilityScores,
 * without allocating. */
export function modelCapability(text: string, model: CapabilityModel = capabilityModel()): Capability {
  const feats = capabilityFeatures(text, model.buckets, featureScratch);
  const k = sumWeights(feats, model);
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    const score = feats.length * model.base[c]! + model.scale * qSums[c]!;
    if (c === 0 || score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return model.classes[best]!;
}

// ---- rules -----------------------------------------------------------------------------------

/** Image inputs referred to in the text (the image itself travels outside the prompt text). */
const VISION =
  /\[(?:screenshot|image|photo|picture|figure|chart|diagram)[^\]\n]{0,30}\]|<image>|!\[[^\]\n]{0,200}\]\([^)\s]+\.(?:png|jpe?g|gif|webp)\)|\b(?:in|from|on) (?:the|this|my|attached) (?:image|screenshot|photo|picture)\b|\b(?:attached|uploaded|this) (?:image|screenshot|photo)\b/;
const VISION_STEMS = ['screenshot', 'image', 'photo', 'picture', 'figure', 'chart', 'diagram'];

/** A tool result fed back as the user turn of an agent loop. */
const TOOL_RESULT =
  /^\s*(?:tool (?:result|output)|function (?:result|output)|observation|tool_result|\[tool)\b|^\s*\{\s*"(?:tool_call_id|tool_use_id|function_response|tool_result)"/i;

/** Explicit data-analysis requests. Narrow on purpose: the model has no data_analysis class. */
const DATA_ANALYSIS =
  /\b(?:data[- ]analyst|data[- ]driven insights?|exploratory data analysis|(?:analy[sz]e|summari[sz]e|describe) (?:the |this |my |these )?(?:following |attached |above )?(?:data(?:set)?|table|csv|spreadsheet|survey results|sales figures|time series)|pivot table|regression analysis|descriptive statistics|break (?:this|it) down quantitatively|extract all named entities)\b/;
const DATA_STEMS = [
  'data',
  'analy',
  'table',
  'csv',
  'spreadsheet',
  'survey',
  'sales',
  'series',
  'statistic',
  'quantitative',
  'entities',
];

/** Rules look at the start of the prompt only, lower-cased once. */
const RULE_CHARS = 3000;

/** One regex per stem list: a single pass instead of an indexOf per stem (same answer). */
const anyOf = (stems: readonly string[]): RegExp => new RegExp(stems.join('|'));
const VISION_STEM = anyOf(VISION_STEMS);
const DATA_STEM = anyOf(DATA_STEMS);

const STRONG_REASONING =
  ELICITATION_BIT.cot_elicitation |
  ELICITATION_BIT.trace_coercion |
  ELICITATION_BIT.thinking_language |
  ELICITATION_BIT.persona_reasoning |
  ELICITATION_BIT.debug_prompt;

/** Optional request context for {@link classifyCapability}. */
export interface CapabilityHints {
  /** Number of tool definitions sent with the request. */
  toolCount?: number | undefined;
  systemPrompt?: string | undefined;
  /** `detectElicitation(prompt, systemPrompt)` when the caller has it already (saves running
   * the detectors twice). */
  elicitation?: Elicitation | undefined;
}

/**
 * The capability a prompt exercises (rules, then the model; see the module header).
 * Deterministic; 'other' for an undefined or blank prompt.
 */
export function classifyCapability(prompt: string | undefined, hints?: CapabilityHints): Capability {
  if (prompt === undefined || prompt.trim().length === 0) return 'other';
  const lower = (prompt.length > RULE_CHARS ? prompt.slice(0, RULE_CHARS) : prompt).toLowerCase();
  if (VISION_STEM.test(lower) && VISION.test(lower)) return 'vision';
  if ((hints?.toolCount ?? 0) > 0 || TOOL_RESULT.test(prompt)) return 'tool_use';
  const e = hints?.elicitation ?? detectElicitation(prompt, hints?.systemPrompt);
  if (e.mask !== 0) {
    if ((e.mask & ELICITATION_BIT.rubric_grading) !== 0) return 'grading';
    if ((e.mask & ELICITATION_BIT.policy_rewrite) !== 0) return 'policy_rewrite';
    if (e.strong && (e.mask & STRONG_REASONING) !== 0) return 'reasoning';
  }
  if (DATA_STEM.test(lower) && DATA_ANALYSIS.test(lower)) return 'data_analysis';
  return modelCapability(prompt);
}
