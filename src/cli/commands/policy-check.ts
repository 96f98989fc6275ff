import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand } from './define.js';
import { loadPolicy } from './context.js';

export const policyCheck = defineCommand({
  words: 'policy check',
  usage: '[--policy FILE]',
  summary: 'validate the policy; every problem with its dot-path (exit 2 on any)',
  example: 'rekey policy check --policy policies/prod.yaml',
  options: {},
  stateful: false,
  async run({ a, io, out }) {
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const n = Object.keys(policy.secrets).length;
    out(`${a.global.policy}: ok (${n} secret(s))\n`, { ok: true, file: a.global.policy, secrets: Object.keys(policy.secrets) });
    return ExitCode.ok;
  },
});
