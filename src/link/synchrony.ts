/**
 * Synchrony links: accounts reached through the same address that work in the same clock hours
 * more often than their own weekly rhythms explain — one scheduler driving several billing accounts.
 *
 * SynchroTrap (Q. Cao, X. Yang, J. Yu, C. Palow, "Uncovering Large Groups of Active Malicious
 * Accounts in Online Social Networks", ACM CCS 2014) matches users' actions on the same object
 * within the same time window: accounts controlled together act together, genuine users sharing
 * an object do not keep in step. Here an account's actions are the clock hours (UTC) in which it
 * sent anything, kept as a bitmap of its last `SYNC_WINDOW_HOURS`; the object is a shared IP
 * address (only accounts holding a common `ip` artifact are compared).
 *
 * Hours shared are not evidence by themselves. Two services busy around the clock share every
 * hour; colleagues who use the service every office hour share all of theirs. The null is
 * independence *given each account's own rhythm*: over the hours both bitmaps cover, an account
 * active in a share r_A(h) of the hours at hour-of-the-week h (Monday 9 h, Sunday 3 h, …) and
 * another in r_B(h) meet by chance in E = Σ n_h r_A(h) r_B(h) of them (n_h: hours at h in the
 * common window), variance Σ n_h p(1 − p) with p = r_A r_B. (Hour of the day alone was not
 * enough: colleagues present every weekday office hour, absent at weekends, exceeded it.) A pair is linked when its shared hours exceed E by `SYNC_MIN_Z` standard
 * deviations and number at least `SYNC_MIN_SHARED_HOURS`: accounts that start and stop
 * together, at irregular times, on the same days.
 *
 * A first version counted the Jaccard of the hour sets (≥ 0.5 over ≥ 24 shared hours). On the
 * tuning seed's reported-2026 traffic it linked always-on genuine services behind one cloud
 * address (chat apps, enterprise RAG) exactly as it linked the thinking-language campaign's
 * accounts — both are busy every hour — and its cluster term then reached evaluation harnesses
 * through prompt-profile links. Against the rhythm null neither is linked: in our simulator every
 * account runs its own timing process, so its campaigns are not in step beyond their common
 * profile, and this link finds none of them (it is tested on hand-made traffic). The bitmap is
 * the same in both drivers: `hunt` builds it from the stored hours, `watch` sets a bit per
 * exchange (bounded: 128 bytes per account).
 */
import type { Artifact } from './graph.js';

/** Hours of activity kept per account: 32 words of 32 bits, about six weeks. */
export const SYNC_WINDOW_HOURS = 1024;
const WORDS = SYNC_WINDOW_HOURS / 32;
/** Hours in a week: the rhythm of the null (hour of the day and day of the week). */
const WEEK = 168;
/** Hours two accounts must share: a day's worth. */
export const SYNC_MIN_SHARED_HOURS = 24;
/** Standard deviations of shared hours above the rhythm null for a link: pairs behind one address
 * are few (tens of thousands at most), and 6 leaves chance out of it. */
export const SYNC_MIN_Z = 6;
/** Addresses held by more accounts are not searched (pairs grow quadratically; an address shared
 * by hundreds of accounts is a carrier NAT or a cloud egress, whose users' hours say nothing). */
export const SYNC_MAX_HOLDERS = 200;

/**
 * The clock hours an account was active in, over the `SYNC_WINDOW_HOURS` ending at its latest:
 * a ring of 32-bit words indexed by absolute word number (hour ÷ 32) modulo the ring size, so
 * two accounts' bitmaps compare word by word whatever their ends.
 */
export interface HourBits {
  /** Absolute word number (hour ÷ 32) of the latest active hour; -Infinity when empty. */
  endWord: number;
  words: Uint32Array;
}

export function emptyHourBits(): HourBits {
  return { endWord: Number.NEGATIVE_INFINITY, words: new Uint32Array(WORDS) };
}

/** Marks clock hour `hour` (ms since epoch ÷ 3.6e6) active. Hours before the window are ignored;
 * a later one moves the window on, clearing the words it leaves behind. */
export function addHour(bits: HourBits, hour: number): void {
  const w = Math.floor(hour / 32);
  if (w > bits.endWord) {
    const from = Number.isFinite(bits.endWord) ? bits.endWord + 1 : w - WORDS + 1;
    for (let k = Math.max(from, w - WORDS + 1); k <= w; k++) bits.words[mod(k)] = 0;
    bits.endWord = w;
  } else if (w <= bits.endWord - WORDS) return;
  const i = mod(w);
  bits.words[i] = ((bits.words[i] as number) | (1 << (hour - w * 32))) >>> 0;
}

/** The bitmap of a set of active hours (any order). */
export function hourBitsOf(hours: Iterable<number>): HourBits {
  const list = [...hours].sort((a, b) => a - b);
  const bits = emptyHourBits();
  for (const h of list) addHour(bits, h);
  return bits;
}

/** Active hours in the window. */
export function hourCount(bits: HourBits): number {
  let c = 0;
  for (const x of bits.words) c += popcount(x);
  return c;
}

export interface HourOverlap {
  /** Hours both were active in. */
  shared: number;
  /** Jaccard of the two hour sets (whole windows). */
  jaccard: number;
  /** Shared hours expected from the two accounts' own weekly rhythms, independent. */
  expected: number;
  /** (shared − expected) / standard deviation under that null. */
  z: number;
}

/** How two accounts' active hours meet, and how far beyond their own weekly rhythms. The null
 * is taken over the hours from the later of their first active hours to the earlier of their
 * last ones: before an account's first request it did not exist, it was not idle. */
export function hourOverlap(a: HourBits, b: HourBits): HourOverlap {
  const na = hourCount(a);
  const nb = hourCount(b);
  const from = Math.max(firstHour(a), firstHour(b));
  const to = Math.min(lastHour(a), lastHour(b));
  let shared = 0;
  const hours = new Float64Array(WEEK);
  const ra = new Float64Array(WEEK);
  const rb = new Float64Array(WEEK);
  for (let h = from; h <= to; h++) {
    const x = isSet(a, h);
    const y = isSet(b, h);
    const how = ((h % WEEK) + WEEK) % WEEK;
    hours[how] = (hours[how] as number) + 1;
    if (x) ra[how] = (ra[how] as number) + 1;
    if (y) rb[how] = (rb[how] as number) + 1;
    if (x && y) shared++;
  }
  let expected = 0;
  let variance = 0;
  for (let h = 0; h < WEEK; h++) {
    const n = hours[h] as number;
    if (n === 0) continue;
    const p = ((ra[h] as number) / n) * ((rb[h] as number) / n);
    expected += n * p;
    variance += n * p * (1 - p);
  }
  const union = na + nb - shared;
  const z = variance > 0 ? (shared - expected) / Math.sqrt(variance) : 0;
  return { shared, jaccard: union > 0 ? shared / union : 0, expected, z };
}

/** Hours both were active in (word by word: the cheap test before the null). */
export function sharedHours(a: HourBits, b: HourBits): number {
  let shared = 0;
  for (let w = Math.max(a.endWord, b.endWord) - WORDS + 1; w <= Math.min(a.endWord, b.endWord); w++)
    shared += popcount(((a.words[mod(w)] as number) & (b.words[mod(w)] as number)) >>> 0);
  return shared;
}

function isSet(bits: HourBits, hour: number): boolean {
  const w = Math.floor(hour / 32);
  if (w > bits.endWord || w <= bits.endWord - WORDS) return false;
  return (((bits.words[mod(w)] as number) >>> (hour - w * 32)) & 1) === 1;
}

/** The first active hour in the window (+Infinity when none). */
function firstHour(bits: HourBits): number {
  for (let w = bits.endWord - WORDS + 1; w <= bits.endWord; w++) {
    const x = bits.words[mod(w)] as number;
    if (x !== 0) return w * 32 + (31 - Math.clz32(x & -x));
  }
  return Number.POSITIVE_INFINITY;
}

/** The last active hour in the window (-Infinity when none). */
function lastHour(bits: HourBits): number {
  for (let w = bits.endWord; w > bits.endWord - WORDS; w--) {
    const x = bits.words[mod(w)] as number;
    if (x !== 0) return w * 32 + (31 - Math.clz32(x));
  }
  return Number.NEGATIVE_INFINITY;
}

export interface SynchronyLinks {
  /** `synchrony` artifacts, one per linked pair. */
  artifacts: Artifact[];
  /** Pairs compared. */
  compared: number;
}

/**
 * The `synchrony` links among accounts holding a common address. `hoursOf` gives an account's
 * bitmap (undefined: not known, never linked); `addresses` are the shared `ip` artifacts.
 * Deterministic: pairs sorted by their ids.
 */
export function synchronyLinks(
  hoursOf: (id: string) => HourBits | undefined,
  addresses: readonly Artifact[],
): SynchronyLinks {
  const seen = new Set<string>();
  const artifacts: Artifact[] = [];
  let compared = 0;
  for (const art of addresses) {
    if (art.kind !== 'ip' || art.accounts.length < 2 || art.accounts.length > SYNC_MAX_HOLDERS) continue;
    const holders = [...art.accounts].sort();
    for (let x = 0; x < holders.length; x++) {
      const u = holders[x] as string;
      const bu = hoursOf(u);
      if (bu === undefined) continue;
      for (let y = x + 1; y < holders.length; y++) {
        const v = holders[y] as string;
        const key = `${u}~${v}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const bv = hoursOf(v);
        if (bv === undefined) continue;
        compared++;
        if (sharedHours(bu, bv) < SYNC_MIN_SHARED_HOURS) continue;
        if (hourOverlap(bu, bv).z >= SYNC_MIN_Z)
          artifacts.push({ kind: 'synchrony', value: key, accounts: [u, v] });
      }
    }
  }
  artifacts.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { artifacts, compared };
}

function mod(w: number): number {
  return ((w % WORDS) + WORDS) % WORDS;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
