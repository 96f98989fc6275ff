import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand } from './define.js';

export const policySchema = defineCommand({
  words: 'policy schema',
  usage: '',
  summary: "print the policy's JSON Schema (every adapter kind's options, from the registry)",
  example: 'rekey policy schema > policy.schema.json',
  options: {},
  stateful: false,
  async run({ io }) {
    const [{ z }, { policySchema: schema }] = await Promise.all([import('zod'), import('../../../providers/registry.js')]);
    io.stdout(JSON.stringify(z.toJSONSchema(schema, { io: 'input' }), null, 2) + '\n');
    return ExitCode.ok;
  },
});
