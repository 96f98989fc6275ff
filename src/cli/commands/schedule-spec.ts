/** What the schedule commands share: the timer's exact command and environment, from this rekey and policy. */
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Policy } from '../../policy/schema.js';
import type { CommandContext } from './context.js';
import type { HostManager } from '../../../providers/services/host-managers.js';

/**
 * The user service manager a render/install/status command names; without a word, this
 * platform's, unless the command needs it named (`required`: the command, for the message).
 */
export async function managerOf(word: string | undefined, what = 'a schedule', required?: { command: string; example: string }): Promise<HostManager> {
  const { hostManager, HOST_MANAGER_WORDS } = await import('../../../providers/services/host-managers.js');
  if (word === undefined && required) throw new UsageError('BAD_ARGUMENTS', `${required.command} needs the service manager: ${HOST_MANAGER_WORDS.join(' or ')}`, { hint: required.example });
  const found = hostManager(word, process.platform);
  if (!found) throw new UsageError('BAD_ARGUMENTS', `${what} runs under ${HOST_MANAGER_WORDS.join(' or ')}, not "${word}"`, { hint: `name one: ${HOST_MANAGER_WORDS.join(', ')}` });
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
