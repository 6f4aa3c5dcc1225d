/**
 * Explain stage: evidence codes → words, in one place, for the CLI, the report and (later)
 * the dashboard alike (STYLE.md §6: explanations are data; text is rendered here).
 */
type V = number | string;
type B = number | string | null;

const pct = (x: V): string => (typeof x === 'number' ? `${Math.round(x * 100)}%` : x);
const fmt = (x: V | B): string =>
  x === null
    ? 'n/a'
    : typeof x === 'number'
      ? Number.isInteger(x)
        ? x.toLocaleString('en-US')
        : String(Math.round(x * 1000) / 1000)
      : x;

const CATALOGUE: Readonly<Record<string, (v: V, b: B) => string>> = {
  'text.strong_elicitation': (v, b) =>
    `${pct(v)} of its prompts demand complete internal reasoning, reasoning traces or thinking in a set language (harvesting starts at ${pct(b ?? 0)})`,
  'text.elicitation': (v) => `${pct(v)} of its prompts elicit step-by-step reasoning in some form`,
  'text.harvest_capability': (v) => `its traffic is concentrated on one high-value capability: ${v}`,
  'text.template_concentration': (v) => `${pct(v)} of its prompts follow one template`,
  'behaviour.output_ratio': (v, b) => `asks for ${fmt(v)} output tokens per input token; peers ${fmt(b)}`,
  'behaviour.reasoning_share': (v, b) =>
    `requests extended reasoning in ${pct(v)} of exchanges; peers ${pct(b ?? 0)}`,
  'behaviour.scripted_timing': (v, b) =>
    `requests arrive at machine-regular intervals (log-gap variation ${fmt(v)}; peers ${fmt(b)})`,
  'behaviour.machine_pace': (v, b) =>
    `${pct(v)} of its requests follow the previous one within 2 s; peers ${pct(b ?? 0)}`,
  'behaviour.peak_rate': (v, b) => `up to ${fmt(v)} requests in one hour; peers ${fmt(b)}`,
  'behaviour.pivot': (v, b) => `moved ${v} within 24 h of its release (counts from ${fmt(b)})`,
  'account.new_and_heavy': (v) => `heavy use began ${fmt(v)} days after signup`,
  'account.pathway': (v) => `opened through the ${v} program, a pathway the 2026 reports name as abused`,
  'account.unverified': () => 'identity not verified',
  'account.trusted': () => 'analysts marked the account as a known customer or partner',
  'analyst.confirmed': () => 'analysts confirmed it as harvesting (itself or a campaign listing it)',
  'analyst.dismissed': () => 'analysts dismissed it as a false positive (itself or a campaign listing it)',
  'geo.rhythm_mismatch': (v, b) => `works on the daily rhythm of ${v} while billing declares ${fmt(b)}`,
  'infra.ip_rotation': (v) => `spread over ${fmt(v)} different /24 networks, as through a proxy pool`,
  'link.harvesting_cluster': (v) => `linked to ${fmt(v)} accounts that harvest`,
};

/** Words for one evidence item; unknown codes are named as they are. */
export function explainEvidence(code: string, value: V, baseline: B): string {
  const f = CATALOGUE[code];
  return f === undefined ? `${code}: ${fmt(value)} (baseline ${fmt(baseline)})` : f(value, baseline);
}

/** Every code with words in the catalogue (tests check the scoring stage emits no other). */
export const EXPLAINED_CODES: readonly string[] = Object.keys(CATALOGUE);

/** Human names of artifact kinds (singular, plural), for cluster evidence and indicators. */
export const ARTIFACT_NAMES: Readonly<Record<string, readonly [string, string]>> = {
  ip: ['IP address', 'IP addresses'],
  subnet: ['network (/24)', 'networks (/24)'],
  payment_fingerprint: ['payment instrument', 'payment instruments'],
  tls_fingerprint: ['TLS fingerprint', 'TLS fingerprints'],
  user_agent: ['user agent', 'user agents'],
  email_domain: ['email domain', 'email domains'],
  system_prompt: ['system prompt', 'system prompts'],
  api_key: ['API key', 'API keys'],
  prompt_template: ['prompt template', 'prompt templates'],
  prompt_profile: ['prompt-profile link', 'prompt-profile links'],
  synchrony: ['pair working in step behind one address', 'pairs working in step behind shared addresses'],
};

/** "3 shared IP addresses", "1 shared payment instrument". */
export function sharedArtifacts(kind: string, n: number): string {
  const names = ARTIFACT_NAMES[kind] ?? [kind, `${kind}s`];
  return `${n} shared ${n === 1 ? names[0] : names[1]}`;
}
