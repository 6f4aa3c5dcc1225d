/**
 * Scenarios: which archetypes, how many of each (at --scale 1) and over which period. Counts for
 * `reported-2026` follow the Feb 2026 reports (sim/README.md gives the arithmetic); the others are
 * shaped to exercise one question each.
 */
import { DAY } from './engine.js';

export interface Scenario {
  name: string;
  summary: string;
  /** First instant of the simulated period (UTC). */
  start: number;
  days: number;
  /** Units per archetype at --scale 1 (see each archetype's `unit`). */
  counts: Record<string, number>;
  /** Ship no raw text: prompt_fingerprint only. */
  privacy?: boolean;
  /** Name of the random stream (default: the scenario's name); `privacy` shares demo's so the
   * two describe the same traffic, with and without text. */
  stream?: string;
}

/** Monday 2 Feb 2026 and Monday 5 Jan 2026: periods inside the window of the Feb 2026 reports. */
const FEB = Date.UTC(2026, 1, 2);
const JAN = Date.UTC(2026, 0, 5);

/** The Feb 2026 reports' scale (sim/README.md gives the arithmetic). */
const REPORTED_COUNTS: Record<string, number> = {
  indie_dev: 175_000,
  chat_app: 250,
  coding_agent: 1_500,
  eval_harness: 100,
  synthetic_data: 40,
  enterprise_rag: 400,
  nat_org: 700,
  genuine_reseller: 25,
  reasoning_harvest: 40,
  multipathway_harvest: 500,
  agentic_coding_harvest: 2_400,
  hydra_reseller: 4_300,
  thinking_language: 60,
  low_and_slow: 1_200,
};

const DEMO_COUNTS: Record<string, number> = {
  indie_dev: 4000,
  chat_app: 10,
  coding_agent: 24,
  eval_harness: 2,
  synthetic_data: 2,
  enterprise_rag: 10,
  nat_org: 6,
  genuine_reseller: 1,
  reasoning_harvest: 12,
  multipathway_harvest: 12,
  agentic_coding_harvest: 50,
  hydra_reseller: 80,
  thinking_language: 10,
  low_and_slow: 60,
};

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'demo',
    summary: '~200k exchanges over 7 days: every genuine and attack archetype, for a first look (seconds)',
    start: FEB,
    days: 7,
    counts: DEMO_COUNTS,
  },
  {
    name: 'reported-2026',
    summary:
      'the scale of the Feb 2026 report: ~24k attack accounts, ~16M attack exchanges among >200k genuine accounts, 6 weeks',
    start: JAN,
    days: 42,
    counts: REPORTED_COUNTS,
  },
  {
    name: 'evasive',
    summary:
      'adaptive attackers only: low-and-slow on residential IPs with paraphrase, thinking-language, multi-pathway; 14 days',
    start: FEB,
    days: 14,
    counts: {
      indie_dev: 6_000,
      chat_app: 15,
      coding_agent: 20,
      eval_harness: 4,
      synthetic_data: 2,
      enterprise_rag: 15,
      nat_org: 12,
      genuine_reseller: 2,
      multipathway_harvest: 20,
      thinking_language: 10,
      low_and_slow: 400,
    },
  },
  {
    name: 'mixed-reseller',
    summary:
      'resellers: hydra clusters mixing harvest with resold genuine traffic beside genuine routers; 14 days',
    start: FEB,
    days: 14,
    counts: {
      indie_dev: 3_000,
      chat_app: 8,
      coding_agent: 10,
      eval_harness: 2,
      synthetic_data: 1,
      enterprise_rag: 8,
      nat_org: 4,
      genuine_reseller: 12,
      hydra_reseller: 500,
    },
  },
  {
    name: 'privacy',
    summary: 'the demo traffic with no raw text: prompt_fingerprint only (no prompt, no system_prompt)',
    start: FEB,
    days: 7,
    counts: DEMO_COUNTS,
    privacy: true,
    stream: 'demo',
  },
  {
    name: 'reported-2026-privacy',
    summary:
      'the reported-2026 traffic with no raw text: prompt_fingerprint only (no prompt, no system_prompt)',
    start: JAN,
    days: 42,
    counts: REPORTED_COUNTS,
    privacy: true,
    stream: 'reported-2026',
  },
];

export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export function periodOf(s: Scenario): { start: number; end: number } {
  return { start: s.start, end: s.start + s.days * DAY };
}
