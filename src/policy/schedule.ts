/**
 * When a secret is due and when it may rotate: pure functions of the clock's `now` (injected),
 * the policy's `maxAge`, `schedule.leadTime`, `schedule.windows` and `schedule.jitter`.
 *
 * A window is `<days> HH:MM-HH:MM [UTC]`: days `daily`, one day (`Sun`), a list (`Sat,Sun`) or a
 * range (`Mon-Fri`); times in UTC; an end before the start crosses midnight (`Sat 23:00-01:00`
 * ends Sunday 01:00). Jitter spreads many hosts over a window: each host × secret waits a fixed
 * share of `jitter` (a hash, the same on every run) after the window opens.
 */

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE = 60_000;
const DAY = 86_400_000;

export interface Window {
  text: string;
  /** 0 = Sunday … 6 = Saturday: the days a window may open on */
  days: Set<number>;
  /** minutes after 00:00 UTC */
  start: number;
  end: number;
}

const hhmm = (s: string): number | null => {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/** a window, or the reason the text is not one */
export function parseWindow(text: string): Window | string {
  const parts = text.trim().split(/\s+/);
  if (parts.length === 3) {
    if (parts[2] !== 'UTC') return `"${text}": times are UTC (write UTC or nothing), not ${parts[2]}`;
    parts.pop();
  }
  if (parts.length !== 2) return `"${text}": a window is "<days> HH:MM-HH:MM", e.g. "Sun 02:00-04:00" or "Mon-Fri 01:00-03:00"`;
  const [dayText, span] = parts as [string, string];
  const days = new Set<number>();
  if (dayText.toLowerCase() === 'daily') for (let d = 0; d < 7; d++) days.add(d);
  else {
    for (const piece of dayText.toLowerCase().split(',')) {
      const [a, b] = piece.split('-');
      const from = DAYS.indexOf(a ?? '');
      const to = b === undefined ? from : DAYS.indexOf(b);
      if (from < 0 || to < 0) return `"${text}": days are daily, Sun … Sat, a list (Sat,Sun) or a range (Mon-Fri)`;
      for (let d = from; ; d = (d + 1) % 7) {
        days.add(d);
        if (d === to) break;
      }
    }
  }
  const [s, e] = span.split('-');
  const start = hhmm(s ?? '');
  const end = hhmm(e ?? '');
  if (start === null || end === null || start === end) return `"${text}": the time span is HH:MM-HH:MM (24 h, UTC), start and end different`;
  return { text, days, start, end };
}

/** the window occurrence that contains `now`, as [open, close) in ms; null when none does */
export function openWindow(now: Date, windows: Window[]): { window: Window; opened: number; closes: number } | null {
  const t = now.getTime();
  const midnight = Math.floor(t / DAY) * DAY;
  for (const w of windows) {
    // an occurrence opened today or (crossing midnight) yesterday
    for (const dayStart of [midnight, midnight - DAY]) {
      if (!w.days.has(new Date(dayStart).getUTCDay())) continue;
      const opened = dayStart + w.start * MINUTE;
      const closes = dayStart + (w.end > w.start ? w.end : w.end + 1440) * MINUTE;
      if (t >= opened && t < closes) return { window: w, opened, closes };
    }
  }
  return null;
}

/** a fixed share of `jitterMs` for this host × secret (FNV-1a): the same on every run */
export function jitterFor(key: string, jitterMs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return jitterMs <= 0 ? 0 : h % jitterMs;
}

/** "90d", "12h", "30m" in ms */
export function durationMs(s: string): number {
  const n = Number(s.slice(0, -1));
  return s.endsWith('d') ? n * DAY : s.endsWith('h') ? n * 3_600_000 : n * MINUTE;
}

export type Dueness = 'ok' | 'expiring' | 'expired' | 'missing';

/**
 * A ref's state for monitoring and for `rotate --due`: `missing` no current version; `expired` its
 * age is past maxAge; `expiring` it will be within `leadMs`; `ok` otherwise (also: no maxAge).
 */
export function dueness(createdAt: string | undefined, hasCurrent: boolean, maxAge: string | undefined, leadMs: number, now: Date): { state: Dueness; dueAt: string | null } {
  if (!hasCurrent) return { state: 'missing', dueAt: null };
  if (!maxAge || !createdAt) return { state: 'ok', dueAt: null };
  const due = Date.parse(createdAt) + durationMs(maxAge);
  const t = now.getTime();
  return { state: t >= due ? 'expired' : t >= due - leadMs ? 'expiring' : 'ok', dueAt: new Date(due).toISOString() };
}

/**
 * May a due secret rotate now? Without windows: yes. With windows: inside one, once this host ×
 * secret's jitter has passed since it opened; the answer says until when it waits otherwise.
 */
export function mayRotateNow(now: Date, windows: Window[], jitterMs: number, key: string): { ok: true } | { ok: false; why: string } {
  if (windows.length === 0) return { ok: true };
  const open = openWindow(now, windows);
  if (!open) return { ok: false, why: `outside the rotation windows (${windows.map((w) => w.text).join('; ')})` };
  const start = open.opened + jitterFor(key, Math.min(jitterMs, open.closes - open.opened - MINUTE));
  if (now.getTime() < start) return { ok: false, why: `in window "${open.window.text}", waiting for this host's jitter until ${new Date(start).toISOString()}` };
  return { ok: true };
}
