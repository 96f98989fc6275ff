/**
 * The timer that runs `rekey rotate --due`: a systemd user service + timer, or a launchd
 * LaunchAgent. The timer fires every 15 minutes inside the policy's windows (rekey itself decides
 * what is due, the exact window and this host's jitter), hourly when the policy has none.
 */
import type { Window } from '../../src/policy/schedule.js';
import { renderPlist } from './plist.js';
import { systemdQuote } from './render-units.js';

export const SCHEDULE_UNIT = 'rekey-rotate';
export const SCHEDULE_LABEL = 'dev.rekey.rotate';
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export interface ScheduleSpec {
  /** the exact command: rekey's node and entry, `rotate --due --policy <abs>` … */
  argv: string[];
  /** non-secret environment (PATH, HOME, REKEY_HOME, DBUS_SESSION_BUS_ADDRESS) */
  env: Record<string, string>;
  windows: Window[];
}

/** every (UTC day, hour) the timer must fire in, 0 = Sunday */
function slots(windows: Window[]): { day: number; hour: number }[] {
  const out = new Map<string, { day: number; hour: number }>();
  for (const w of windows) {
    const end = w.end > w.start ? w.end : w.end + 1440;
    for (const day of w.days) {
      for (let m = Math.floor(w.start / 60) * 60; m < end; m += 60) {
        const d = (day + Math.floor(m / 1440)) % 7;
        const hour = Math.floor((m % 1440) / 60);
        out.set(`${d}:${hour}`, { day: d, hour });
      }
    }
  }
  return [...out.values()].sort((a, b) => a.day - b.day || a.hour - b.hour);
}

/** OnCalendar= lines: one per day, its hours, every 15 minutes, in UTC */
export function onCalendar(windows: Window[]): string[] {
  if (windows.length === 0) return ['hourly'];
  const byDay = new Map<number, number[]>();
  for (const s of slots(windows)) byDay.set(s.day, [...(byDay.get(s.day) ?? []), s.hour]);
  return [...byDay].map(([day, hours]) => `${DAY_NAMES[day]} *-*-* ${hours.map((h) => String(h).padStart(2, '0')).join(',')}:00/15:00 UTC`);
}

export function renderSystemdSchedule(s: ScheduleSpec): { service: string; timer: string } {
  for (const w of [...s.argv, ...Object.values(s.env)]) {
    if (/[\n\r\0]/.test(w)) throw new Error('a word with a newline or NUL cannot go into a unit file');
  }
  const service = [
    '[Unit]',
    'Description=rekey: rotate every due credential (rekey rotate --due)',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    ...Object.entries(s.env).map(([k, v]) => `Environment=${systemdQuote(`${k}=${v}`, 'environment')}`),
    `ExecStart=${s.argv.map((w) => systemdQuote(w)).join(' ')}`,
    // exit 3 (something due was not rotated: no new key, locked) is reported, not a unit failure
    'SuccessExitStatus=3',
    // hardening that needs no namespaces (a user manager cannot set those up everywhere) and still
    // lets rekey restart the user's units over the manager's bus
    'NoNewPrivileges=yes',
    'UMask=0077',
    'LockPersonality=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'SystemCallArchitectures=native',
    'TimeoutStartSec=1h',
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    `Description=rekey: when to look for due credentials (${SCHEDULE_UNIT}.service)`,
    '',
    '[Timer]',
    ...onCalendar(s.windows).map((c) => `OnCalendar=${c}`),
    'RandomizedDelaySec=60',
    'Persistent=true',
    `Unit=${SCHEDULE_UNIT}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return { service, timer };
}

/** A LaunchAgent: StartCalendarInterval every 15 minutes in the windows (launchd uses local time: the windows are converted with the UTC offset given) */
export function renderLaunchdSchedule(s: ScheduleSpec & { logDir: string; utcOffsetMinutes: number }): string {
  const intervals =
    s.windows.length === 0
      ? [{ Minute: 0 }]
      : slots(s.windows).flatMap(({ day, hour }) =>
          [0, 15, 30, 45].map((minute) => {
            const local = (((day * 1440 + hour * 60 + minute + s.utcOffsetMinutes) % 10080) + 10080) % 10080;
            return { Weekday: Math.floor(local / 1440), Hour: Math.floor((local % 1440) / 60), Minute: local % 60 };
          }),
        );
  return renderPlist({
    Label: SCHEDULE_LABEL,
    ProgramArguments: s.argv,
    StartCalendarInterval: intervals,
    ...(Object.keys(s.env).length ? { EnvironmentVariables: s.env } : {}),
    StandardOutPath: `${s.logDir}/${SCHEDULE_LABEL}.log`,
    StandardErrorPath: `${s.logDir}/${SCHEDULE_LABEL}.err.log`,
  });
}
