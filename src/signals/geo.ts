/**
 * Geography without a geo-IP database: the timezone an account's working rhythm implies,
 * compared with the billing country it declares. The Feb 2026 reports describe access from
 * regions where the service is not offered, through proxies: the traffic's IPs then say
 * nothing, but people still work in their own daytime, so the rhythm gives them away.
 */

/**
 * Standard (winter) UTC offsets in hours of the main time zone of each country: where a
 * country spans several zones, its most populous one (US: Eastern, RU: Moscow, BR: Brasília,
 * AU: Sydney, CA: Eastern, CN: one zone). An account whose country is missing from the
 * table gets no geography signal.
 */
export const COUNTRY_UTC_OFFSET: Readonly<Record<string, number>> = {
  US: -5,
  CA: -5,
  MX: -6,
  BR: -3,
  AR: -3,
  CL: -4,
  CO: -5,
  PE: -5,
  VE: -4,
  GB: 0,
  IE: 0,
  PT: 0,
  IS: 0,
  ES: 1,
  FR: 1,
  DE: 1,
  NL: 1,
  BE: 1,
  LU: 1,
  CH: 1,
  AT: 1,
  IT: 1,
  PL: 1,
  CZ: 1,
  SK: 1,
  HU: 1,
  SE: 1,
  NO: 1,
  DK: 1,
  HR: 1,
  SI: 1,
  RS: 1,
  FI: 2,
  EE: 2,
  LV: 2,
  LT: 2,
  UA: 2,
  RO: 2,
  BG: 2,
  GR: 2,
  IL: 2,
  EG: 2,
  ZA: 2,
  TR: 3,
  RU: 3,
  BY: 3,
  SA: 3,
  KE: 3,
  NG: 1,
  MA: 1,
  AE: 4,
  IR: 3.5,
  PK: 5,
  IN: 5.5,
  LK: 5.5,
  BD: 6,
  KZ: 5,
  TH: 7,
  VN: 7,
  ID: 7,
  MY: 8,
  SG: 8,
  PH: 8,
  CN: 8,
  HK: 8,
  TW: 8,
  MO: 8,
  KP: 9,
  KR: 9,
  JP: 9,
  AU: 10,
  NZ: 12,
};

/**
 * When people send work to an API, by local hour (0–23): low at night, rising from 7,
 * highest through the working day, tapering in the evening. A generic shape (office and
 * developer activity curves have this form); only its phase matters here.
 */
export const WORKING_DAY: readonly number[] = [
  0.2, 0.12, 0.08, 0.06, 0.06, 0.08, 0.15, 0.35, 0.7, 1.0, 1.15, 1.2, 1.1, 1.15, 1.2, 1.15, 1.05, 0.95, 0.8,
  0.7, 0.65, 0.55, 0.45, 0.3,
];

export interface Rhythm {
  /** UTC offset (hours, −11..12) whose working day best fits the hours histogram. */
  offset: number;
  /** How much better the best phase fits than a flat day: 0 = no rhythm (24/7 automation). */
  strength: number;
}

/** The implied UTC offset of an hours-of-day histogram (UTC), or null when too few exchanges. */
export function impliedRhythm(hoursUtc: readonly number[], minExchanges = 30): Rhythm | null {
  let total = 0;
  for (const h of hoursUtc) total += h;
  if (total < minExchanges) return null;
  let mean = 0;
  for (const w of WORKING_DAY) mean += w / 24;
  let best = Number.NEGATIVE_INFINITY;
  let bestOffset = 0;
  for (let o = -11; o <= 12; o++) {
    let s = 0;
    for (let h = 0; h < 24; h++) s += (hoursUtc[h] ?? 0) * (WORKING_DAY[(((h + o) % 24) + 24) % 24] ?? 0);
    if (s > best) {
      best = s;
      bestOffset = o;
    }
  }
  return { offset: bestOffset, strength: best / (total * mean) - 1 };
}

/** Distance between two UTC offsets around the clock, 0..12 hours. */
export function offsetDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 24;
  return Math.min(d, 24 - d);
}

/** Normalised entropy of the hours histogram: 1 = perfectly flat (24/7), 0 = one hour. */
export function hourFlatness(hours: readonly number[]): number {
  let total = 0;
  for (const h of hours) total += h;
  if (total <= 0) return 0;
  let e = 0;
  for (const h of hours) if (h > 0) e -= (h / total) * Math.log(h / total);
  return e / Math.log(24);
}
