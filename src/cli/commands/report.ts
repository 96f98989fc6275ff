import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand } from './define.js';

export const report = defineCommand({
  words: 'report',
  usage: '<rotation-id> [--format md]',
  summary: 'a change-ticket report of one run (rotation, resume, revoke) in Markdown: what, who, window, fingerprints, blast radius graph, steps, rollback point, outcome',
  example: 'rekey report 20261130T031500Z-4f2a… --format md > ticket.md',
  options: { format: { type: 'string', value: 'F', help: 'md (the default and only format)' } },
  stateful: true,
  async run({ a, out, depsFor, io }, opts) {
    const id = a.positionals[0];
    if (!id) throw new UsageError('BAD_ARGUMENTS', 'rekey report needs a rotation id', { hint: 'rekey audit show lists the runs and their ids' });
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(id) || id.includes('..')) throw new UsageError('BAD_ARGUMENTS', `not a rotation id: ${JSON.stringify(id.slice(0, 80))}`, { hint: 'rekey audit show lists the runs and their ids' });
    if (opts.format && opts.format !== 'md') throw new UsageError('UNKNOWN_FORMAT', `--format ${opts.format}: md is the one format`);
    const [{ changeReport }, { loadPolicy }] = await Promise.all([import('../../usecases/report.js'), import('./context.js')]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    const records = await deps.audit.read();
    const rec = records.find((r) => r.rotationId === id);
    const rotationId = rec?.containment?.rotationId ?? id;
    const events = await deps.journal.read(rotationId).catch(() => []);
    const md = changeReport({ id, records, events, adapters: deps.planContext.adapters, hostname: deps.planContext.hostname });
    out(md, { id, format: 'md', markdown: md });
    return ExitCode.ok;
  },
});
