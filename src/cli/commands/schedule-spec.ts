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

export async function scheduleSpec(c: CommandContext, policy: Policy) {
  const { parseWindow } = await import('../../policy/schedule.js');
  const self = c.io.self ?? [process.execPath, process.argv[1] ?? 'rekey'];
  const argv = [...self, 'rotate', '--due', '--policy', resolve(c.a.global.policy), ...(c.a.global.home ? ['--home', resolve(c.a.global.home)] : [])];
  const env: Record<string, string> = { PATH: c.io.env.PATH ?? '/usr/bin:/bin', REKEY_HOME: c.home, ...(c.io.env.HOME ? { HOME: c.io.env.HOME } : {}) };
  const windows = (policy.schedule?.windows ?? []).map(parseWindow).filter((w) => typeof w !== 'string');
  return { argv, env, windows };
}
