import { describe, expect, test } from 'vitest';
import { dueness, jitterFor, mayRotateNow, openWindow, parseWindow, type Window } from '../../src/policy/schedule.js';

const w = (s: string) => parseWindow(s) as Window;

describe('schedule: windows, jitter, lead time (injected clock)', () => {
  test('windows parse; bad ones are named', () => {
    expect(w('Sun 02:00-04:00').days).toEqual(new Set([0]));
    expect(w('Mon-Fri 01:00-03:00 UTC').days).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(w('Fri-Mon 22:00-02:00').days).toEqual(new Set([5, 6, 0, 1]));
    expect(w('daily 00:00-00:30').days.size).toBe(7);
    expect(parseWindow('Sun 02:00-04:00 CET')).toMatch(/times are UTC/);
    expect(parseWindow('Sunday 02:00-04:00')).toMatch(/days are/);
    expect(parseWindow('Sun 2:00-04:00')).toMatch(/HH:MM-HH:MM/);
    expect(parseWindow('Sun 04:00-04:00')).toMatch(/different/);
  });

  test('inside and outside a window, across midnight', () => {
    const sun = [w('Sun 02:00-04:00')];
    expect(openWindow(new Date('2026-11-29T02:30:00Z'), sun)).not.toBeNull(); // a Sunday
    expect(openWindow(new Date('2026-11-29T04:00:00Z'), sun)).toBeNull(); // the end is open
    expect(openWindow(new Date('2026-11-30T02:30:00Z'), sun)).toBeNull(); // Monday
    const late = [w('Sat 23:00-01:00')];
    expect(openWindow(new Date('2026-11-28T23:30:00Z'), late)).not.toBeNull(); // Saturday night
    expect(openWindow(new Date('2026-11-29T00:30:00Z'), late)).not.toBeNull(); // after midnight, Sunday
    expect(openWindow(new Date('2026-11-29T23:30:00Z'), late)).toBeNull(); // Sunday night: not a Saturday window
  });

  test('jitter: fixed per host × secret, within the bound, different across hosts', () => {
    const j = (k: string) => jitterFor(k, 30 * 60_000);
    expect(j('gw1/anthropic')).toBe(j('gw1/anthropic'));
    const spread = new Set(Array.from({ length: 20 }, (_, i) => Math.floor(j(`host${i}/anthropic`) / 60_000)));
    expect(spread.size).toBeGreaterThan(5);
    for (let i = 0; i < 50; i++) expect(j(`h${i}/s`)).toBeLessThan(30 * 60_000);
    const windows = [w('Sun 02:00-04:00')];
    const key = 'gw1/anthropic';
    const at = (min: number) => mayRotateNow(new Date(Date.parse('2026-11-29T02:00:00Z') + min * 60_000), windows, 30 * 60_000, key);
    const wait = Math.ceil(j(key) / 60_000);
    if (wait > 0) expect(at(0)).toMatchObject({ ok: false, why: expect.stringMatching(/jitter/) });
    expect(at(wait)).toEqual({ ok: true });
    expect(at(130)).toMatchObject({ ok: false, why: expect.stringMatching(/outside/) });
    expect(mayRotateNow(new Date(), [], 0, key)).toEqual({ ok: true });
  });

  test('due states: ok, expiring within the lead time, expired, missing', () => {
    const now = new Date('2026-11-30T00:00:00Z');
    const lead = 7 * 86_400_000;
    expect(dueness('2026-11-01T00:00:00Z', true, '90d', lead, now)).toEqual({ state: 'ok', dueAt: '2027-01-30T00:00:00.000Z' });
    expect(dueness('2026-09-05T00:00:00Z', true, '90d', lead, now).state).toBe('expiring');
    expect(dueness('2026-08-01T00:00:00Z', true, '90d', lead, now).state).toBe('expired');
    expect(dueness(undefined, false, '90d', lead, now).state).toBe('missing');
    expect(dueness('2020-01-01T00:00:00Z', true, undefined, lead, now)).toEqual({ state: 'ok', dueAt: null });
  });
});
