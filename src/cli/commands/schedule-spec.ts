/** What the schedule commands share: the timer's exact command and environment, from this rekey and policy. */
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Policy } from '../../policy/schema.js';
import type { CommandContext } from './context.js';

export type Manager = 'systemd' | 'launchd';

export function managerOf(word: string | undefined): Manager {
  const m = word ?? (process.platform === 'darwin' ? 'launchd' : 'systemd');
  if (m !== 'systemd' && m !== 'launchd') throw new UsageError('BAD_ARGUMENTS', `a schedule runs under systemd or launchd, not "${m}"`, { hint: 'rekey schedule render systemd' });
  return m;
}

/** `command`: what the timer runs (default the scheduled rotation; the fleet agent: ['agent']) */
export async function scheduleSpec(c: CommandContext, policy: Policy, command: string[] = ['rotate', '--due']) {
  const { parseWindow } = await import('../../policy/schedule.js');
  const self = c.io.self ?? [process.execPath, process.argv[1] ?? 'rekey'];
  const argv = [...self, ...command, '--policy', resolve(c.a.global.policy), ...(c.a.global.home ? ['--home', resolve(c.a.global.home)] : [])];
  // the host name the policy's deliveries name, when it is not the machine's
  const env: Record<string, string> = { PATH: c.io.env.PATH ?? '/usr/bin:/bin', REKEY_HOME: c.home, ...(c.io.env.HOME ? { HOME: c.io.env.HOME } : {}), ...(c.io.env.REKEY_HOSTNAME ? { REKEY_HOSTNAME: c.io.env.REKEY_HOSTNAME } : {}) };
  const windows = (policy.schedule?.windows ?? []).map(parseWindow).filter((w) => typeof w !== 'string');
  return { argv, env, windows };
}
