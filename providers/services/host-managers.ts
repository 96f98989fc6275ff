/**
 * The user service managers rekey writes units for, by the word the CLI takes (`rekey service
 * render systemd`, `rekey schedule install launchd`, `rekey agent render …`): each one's files for
 * a Gateway unit, the scheduled rotation and the fleet agent, and the timer rekey installs and
 * asks about. The one place that knows which manager writes which file; the commands only look up.
 */
import { AGENT_LABEL, AGENT_UNIT, renderLaunchdAgent, renderSystemdAgent } from './render-agent.js';
import { renderLaunchdSchedule, renderSystemdSchedule, SCHEDULE_LABEL, SCHEDULE_UNIT, type ScheduleSpec } from './render-schedule.js';
import { renderLaunchdPlist, renderSystemdUnit } from './render-units.js';

export interface UnitFile {
  name: string;
  text: string;
}

export interface HostManager {
  word: 'systemd' | 'launchd';
  /** the policy `services` kind of the manager, for the timer rekey installs (its unit: what installTimer enables and timerStatus asks about) */
  timerService: { kind: 'systemd-user'; unit: string; name: string; startTimeoutMs: number; settleMs: number } | { kind: 'launchd'; unit: string; name: string; domain: 'gui'; startTimeoutMs: number; settleMs: number };
  /** a Gateway unit whose command goes through `rekey exec` */
  gatewayUnit(u: { label?: string | undefined; argv: string[]; env: Record<string, string>; home: string | undefined }): string;
  /** the timer of `rekey rotate --due` */
  scheduleFiles(s: ScheduleSpec, home: string | undefined): UnitFile[];
  /** the timer of `rekey agent`, every `everySeconds` */
  agentFiles(s: Omit<ScheduleSpec, 'windows'>, everySeconds: number, home: string | undefined): UnitFile[];
}

const logDir = (home: string | undefined) => `${home ?? '~'}/Library/Logs/rekey`;

const systemd: HostManager = {
  word: 'systemd',
  timerService: { kind: 'systemd-user', unit: `${SCHEDULE_UNIT}.timer`, name: 'rekey-schedule', startTimeoutMs: 30_000, settleMs: 0 },
  gatewayUnit: (u) => renderSystemdUnit({ label: u.label ?? 'OpenClaw Gateway', argv: u.argv, env: u.env }),
  scheduleFiles(s) {
    const { service, timer } = renderSystemdSchedule(s);
    return [
      { name: `${SCHEDULE_UNIT}.service`, text: service },
      { name: `${SCHEDULE_UNIT}.timer`, text: timer },
    ];
  },
  agentFiles(s, every) {
    const { service, timer } = renderSystemdAgent(s, every);
    return [
      { name: `${AGENT_UNIT}.service`, text: service },
      { name: `${AGENT_UNIT}.timer`, text: timer },
    ];
  },
};

const launchd: HostManager = {
  word: 'launchd',
  timerService: { kind: 'launchd', unit: SCHEDULE_LABEL, name: 'rekey-schedule', domain: 'gui', startTimeoutMs: 30_000, settleMs: 0 },
  gatewayUnit: (u) => renderLaunchdPlist({ label: u.label ?? 'ai.openclaw.gateway', argv: u.argv, env: u.env, logDir: logDir(u.home) }),
  scheduleFiles: (s, home) => [{ name: `${SCHEDULE_LABEL}.plist`, text: renderLaunchdSchedule({ ...s, logDir: logDir(home), utcOffsetMinutes: -new Date().getTimezoneOffset() }) }],
  agentFiles: (s, every, home) => [{ name: `${AGENT_LABEL}.plist`, text: renderLaunchdAgent({ ...s, logDir: logDir(home) }, every) }],
};

const HOST_MANAGERS: Record<string, HostManager> = Object.fromEntries([systemd, launchd].map((m) => [m.word, m]));
/** the words the CLI takes, in the order its messages name them */
export const HOST_MANAGER_WORDS = Object.keys(HOST_MANAGERS);

/** the manager a word names (own keys only: `toString` names none); without a word, this platform's */
export function hostManager(word: string | undefined, platform: NodeJS.Platform): HostManager | null {
  if (word === undefined) return platform === 'darwin' ? launchd : systemd;
  return Object.hasOwn(HOST_MANAGERS, word) ? HOST_MANAGERS[word]! : null;
}

/** the files as `rekey … render` prints them: one file as it is, several each under a `# name` line */
export const printFiles = (files: UnitFile[]): string => (files.length === 1 ? files[0]!.text : files.map((f) => `# ${f.name}\n${f.text}`).join('\n'));
