/**
 * The simulator's data: prompt pools and published cloud IPv4 ranges, shipped in `sim/data/`
 * (sources and licenses in sim/data/README.md). Found relative to the package root, so the
 * simulator works from `sim/` under vitest and from `dist/sim/` after a build, whatever the cwd.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

let root: string | undefined;

/** The directory holding the package's package.json, found by walking up from this file. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'sim', 'data'))) {
      root = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`distillguard: cannot find the package root (sim/data) above ${import.meta.url}`);
    dir = up;
  }
}

export function dataPath(...parts: string[]): string {
  return join(packageRoot(), 'sim', 'data', ...parts);
}

export interface PromptRecord {
  id: string;
  source: string;
  category: string;
  text: string;
  /** UTF-8 bytes of `text` as a JSON string literal (encoded once: pool texts are sent verbatim
   * again and again, and copying bytes is much cheaper than escaping and encoding). */
  readonly bytes: Uint8Array;
  /** Number of function definitions sent with a tool-use task (BFCL). */
  toolCount: number;
}

/** A pool record whose `bytes` are encoded on first use (a third of loading the pools went into
 * encoding every text up front, and a short run uses only part of them). */
class PoolPrompt implements PromptRecord {
  private encoded: Uint8Array | undefined;
  constructor(
    readonly id: string,
    readonly source: string,
    readonly category: string,
    readonly text: string,
    readonly toolCount: number,
  ) {}
  get bytes(): Uint8Array {
    if (this.encoded === undefined) this.encoded = Buffer.from(JSON.stringify(this.text));
    return this.encoded;
  }
}

function readJsonlGz(path: string): PromptRecord[] {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const out: PromptRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const o = JSON.parse(line) as {
      id: string;
      source: string;
      category: string;
      text: string;
      tools?: unknown[];
    };
    out.push(new PoolPrompt(o.id, o.source, o.category, o.text, o.tools?.length ?? 0));
  }
  // Sorted by id so the pools do not depend on the order lines happen to have in the file.
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

export interface PromptPools {
  /** Genuine users' prompts, by source/category. */
  human: {
    all: PromptRecord[];
    coding: PromptRecord[];
    math: PromptRecord[];
    creative: PromptRecord[];
    general: PromptRecord[];
    search: PromptRecord[];
  };
  /** Task pools of the kind used for distillation (and for evaluation). */
  tasks: {
    gsm8k: PromptRecord[];
    humaneval: PromptRecord[];
    tools: PromptRecord[];
    instructions: PromptRecord[];
  };
}

let pools: PromptPools | undefined;

export function loadPrompts(): PromptPools {
  if (pools) return pools;
  const human = readJsonlGz(dataPath('prompts', 'human.jsonl.gz'));
  const tasks = readJsonlGz(dataPath('prompts', 'tasks.jsonl.gz'));
  const by = (arr: PromptRecord[], f: (p: PromptRecord) => boolean) => arr.filter(f);
  pools = {
    human: {
      all: human,
      coding: by(human, (p) => p.category === 'coding'),
      math: by(human, (p) => p.category === 'math'),
      creative: by(human, (p) => p.category === 'creative_writing'),
      general: by(human, (p) => p.category === 'general'),
      search: by(human, (p) => p.category === 'search_question'),
    },
    tasks: {
      gsm8k: by(tasks, (p) => p.source === 'gsm8k-train'),
      humaneval: by(tasks, (p) => p.source === 'humaneval'),
      tools: by(tasks, (p) => p.category === 'tool_use'),
      instructions: by(tasks, (p) => p.source.startsWith('self-instruct')),
    },
  };
  return pools;
}

export interface CloudRange {
  provider: string;
  /** First address as an unsigned 32-bit integer. */
  start: number;
  size: number;
}

let cloud: CloudRange[] | undefined;

function ipv4ToInt(s: string): number {
  const p = s.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

/** Published IPv4 ranges of cloud and proxy providers, sorted by start address. */
export function loadCloudRanges(): CloudRange[] {
  if (cloud) return cloud;
  const text = gunzipSync(readFileSync(dataPath('infra', 'cloud-ipv4.csv.gz'))).toString('utf8');
  const out: CloudRange[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [provider, cidr] = line.split(',');
    if (!provider || !cidr) continue;
    const [addr, bits] = cidr.split('/');
    if (!addr || bits === undefined) continue;
    out.push({ provider, start: ipv4ToInt(addr), size: 2 ** (32 - Number(bits)) });
  }
  out.sort((a, b) => a.start - b.start || a.size - b.size);
  cloud = out;
  return out;
}
