import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../rng/index.js';
import {
  addHour,
  emptyHourBits,
  type HourBits,
  hourBitsOf,
  hourCount,
  hourOverlap,
  SYNC_MAX_HOLDERS,
  SYNC_MIN_Z,
  SYNC_WINDOW_HOURS,
  synchronyLinks,
} from './synchrony.js';

const H0 = 493_000; // an hour number in 2026 (ms since epoch ÷ 3.6e6)

describe('hour bitmaps', () => {
  it('keeps the last SYNC_WINDOW_HOURS hours, whatever the order of arrival inside the window', () => {
    const b = emptyHourBits();
    for (const h of [H0, H0 + 5, H0 + 5, H0 + 40, H0 + 2]) addHour(b, h);
    expect(hourCount(b)).toBe(4);
    addHour(b, H0 + SYNC_WINDOW_HOURS + 100); // the window moves on: the first hours leave it
    expect(hourCount(b)).toBeLessThanOrEqual(2);
    addHour(b, H0); // too old now: ignored
    expect(hourCount(b)).toBeLessThanOrEqual(2);
    expect(hourCount(hourBitsOf([H0 + 9, H0 + 3, H0 + 9]))).toBe(2);
  });

  it('counts shared hours and their Jaccard, also between bitmaps ending at different hours', () => {
    const a = hourBitsOf([H0, H0 + 1, H0 + 2, H0 + 3]);
    const b = hourBitsOf([H0 + 2, H0 + 3, H0 + 200]);
    // Over hours H0+2 … H0+3 (both exist), both active in each: as their rhythm predicts.
    expect(hourOverlap(a, b)).toEqual({ shared: 2, jaccard: 2 / 5, expected: 2, z: 0 });
    expect(hourOverlap(b, a)).toEqual({ shared: 2, jaccard: 2 / 5, expected: 2, z: 0 });
    expect(hourOverlap(a, a).jaccard).toBe(1);
    expect(hourOverlap(a, emptyHourBits())).toEqual({ shared: 0, jaccard: 0, expected: 0, z: 0 });
  });
});

describe('synchrony links', () => {
  const rng = mulberry32(3);
  // Two accounts of one scheduler: the same ~60 % of hours, around the clock, for three weeks.
  const schedule = Array.from({ length: 21 * 24 }, (_, i) => H0 + i).filter(() => rng() < 0.6);
  // Office workers behind one NAT: weekdays 9–17 h, each present in `p` of those hours.
  const office = (p: number) =>
    Array.from({ length: 21 * 24 }, (_, i) => H0 + i).filter((h) => {
      const hod = h % 24;
      const day = Math.floor((h - H0) / 24) % 7;
      return day < 5 && hod >= 9 && hod < 17 && rng() < p;
    });
  const every = Array.from({ length: 21 * 24 }, (_, i) => H0 + i);
  const hours = new Map([
    ['bot1', hourBitsOf(schedule)],
    ['bot2', hourBitsOf(schedule.filter(() => rng() < 0.9))],
    // Two more bots as busy, each on its own schedule: no more in step than chance.
    ['bot3', hourBitsOf(every.filter(() => rng() < 0.6))],
    ['bot4', hourBitsOf(every.filter(() => rng() < 0.6))],
    ['alice', hourBitsOf(office(0.5))],
    ['bob', hourBitsOf(office(0.5))],
    // Two who use the service every office hour: in step, as their rhythm says.
    ['carol', hourBitsOf(office(1))],
    ['dave', hourBitsOf(office(1))],
    // Two services busy around the clock: every hour shared.
    ['svc1', hourBitsOf(every)],
    ['svc2', hourBitsOf(every)],
  ]);
  const ip = (value: string, accounts: string[]) => ({ kind: 'ip' as const, value, accounts });

  it('links accounts in step beyond their rhythms; not colleagues, always-on services or busy strangers', () => {
    const r = synchronyLinks(
      (id) => hours.get(id),
      [
        ip('203.0.113.7', ['bot1', 'bot2', 'bot3', 'bot4']),
        ip('198.51.100.1', ['alice', 'bob', 'carol', 'dave']),
        ip('192.0.2.44', ['svc1', 'svc2']),
      ],
    );
    expect(r.compared).toBe(13);
    expect(r.artifacts).toEqual([{ kind: 'synchrony', value: 'bot1~bot2', accounts: ['bot1', 'bot2'] }]);
    const pair = (u: string, v: string) => hourOverlap(hours.get(u) as HourBits, hours.get(v) as HourBits);
    // Perfectly in step by Jaccard, and explained by their weekly rhythm (the first version of
    // this link, on Jaccard alone, linked both pairs).
    for (const [u, v] of [
      ['carol', 'dave'],
      ['svc1', 'svc2'],
    ] as const) {
      expect(pair(u, v).jaccard).toBe(1);
      expect(pair(u, v).z).toBeLessThan(SYNC_MIN_Z);
    }
    expect(pair('bot1', 'bot2').z).toBeGreaterThan(SYNC_MIN_Z);
  });

  it('needs a common address: the same hours from different addresses are not compared', () => {
    const r = synchronyLinks(
      (id) => hours.get(id),
      [ip('203.0.113.7', ['bot1', 'alice']), ip('203.0.113.8', ['bot2', 'bob'])],
    );
    expect(r.artifacts).toHaveLength(0);
  });

  it('skips addresses held by more than SYNC_MAX_HOLDERS accounts', () => {
    const crowd = Array.from({ length: SYNC_MAX_HOLDERS - 1 }, (_, i) => `u${i}`);
    const r = synchronyLinks((id) => hours.get(id), [ip('100.64.0.1', ['bot1', 'bot2', ...crowd])]);
    expect(r.compared).toBe(0);
    expect(r.artifacts).toHaveLength(0);
  });
});
