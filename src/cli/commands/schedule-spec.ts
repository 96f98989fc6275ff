/** What the schedule commands share: the timer's exact command and environment, from this rekey and policy. */
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Policy } from '../../policy/schema.js';
import type { CommandContext } from './context.js';
import type { HostManager } from '../../../providers/services/host-managers.js';

/** the user service manager a render/install/status command names (default: this platform's) */
export async function managerOf(word: string | undefined, what = 'a schedule'): Promise<HostManager> {
  const { HOST_MANAGERS } = await import('../../../providers/services/host-managers.js');
  const m = word ?? (process.platform === 'darwin' ? 'launchd' : 'systemd');
  const found = Object.hasOwn(HOST_MANAGERS, m) ? HOST_MANAGERS[m] : undefined;
  if (!found) throw new UsageError('BAD_ARGUMENTS', `${what} runs under ${Object.keys(HOST_MANAGERS).join(' or ')}, not "${m}"`, { hint: `name one: ${Object.keys(HOST_MANAGERS).join(', ')}` });
  return found;
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
