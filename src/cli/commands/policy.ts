import { ExitCode } from '../../core/exit-codes.js';
import { policySchema } from '../../../providers/registry.js';
import { z } from 'zod';
import { type CommandContext, loadPolicy } from './context.js';

/** rekey policy check */
export async function policyCheck({ a, io, out }: CommandContext): Promise<number> {
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const n = Object.keys(policy.secrets).length;
  out(`${a.global.policy}: ok (${n} secret(s))\n`, { ok: true, file: a.global.policy, secrets: Object.keys(policy.secrets) });
  return ExitCode.ok;
}

/** rekey policy schema */
export async function policySchemaCmd({ io }: CommandContext): Promise<number> {
  io.stdout(JSON.stringify(z.toJSONSchema(policySchema, { io: 'input' }), null, 2) + '\n');
  return ExitCode.ok;
}
