/**
 * The timer that runs the fleet agent (`rekey agent`, one pass) every N seconds: a systemd user
 * service + timer (OnUnitActiveSec, so passes never overlap), or a launchd LaunchAgent
 * (StartInterval). Same command and environment rules as the rotation schedule (render-schedule.ts).
 */
import { renderPlist } from './plist.js';
import { renderSystemdSchedule, type ScheduleSpec } from './render-schedule.js';

export const AGENT_UNIT = 'rekey-agent';
export const AGENT_LABEL = 'dev.rekey.agent';

export function renderSystemdAgent(s: Omit<ScheduleSpec, 'windows'>, everySeconds: number): { service: string; timer: string } {
  // the schedule's hardened oneshot service, with the agent's description
  const { service } = renderSystemdSchedule({ ...s, windows: [] });
  const timer = [
    '[Unit]',
    `Description=rekey: fleet agent pass every ${everySeconds}s (${AGENT_UNIT}.service)`,
    '',
    '[Timer]',
    'OnBootSec=30',
    `OnUnitActiveSec=${everySeconds}`,
    // a few seconds of spread, so hosts started together do not all ask the backend at once
    `RandomizedDelaySec=${Math.max(1, Math.min(30, Math.floor(everySeconds / 10)))}`,
    'AccuracySec=1',
    `Unit=${AGENT_UNIT}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return { service: service.replace(/^Description=.*$/m, 'Description=rekey: fleet agent, one pass (rekey agent)').replace(/^TimeoutStartSec=.*$/m, 'TimeoutStartSec=30min'), timer };
}

export function renderLaunchdAgent(s: Omit<ScheduleSpec, 'windows'> & { logDir: string }, everySeconds: number): string {
  return renderPlist({
    Label: AGENT_LABEL,
    ProgramArguments: s.argv,
    StartInterval: everySeconds,
    RunAtLoad: true,
    ...(Object.keys(s.env).length ? { EnvironmentVariables: s.env } : {}),
    StandardOutPath: `${s.logDir}/${AGENT_LABEL}.log`,
    StandardErrorPath: `${s.logDir}/${AGENT_LABEL}.err.log`,
  });
}
