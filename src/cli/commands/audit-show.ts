import type { AuditRecord } from '../../audit/audit-record.js';
import { ExitCode } from '../../core/exit-codes.js';
import { RECORD_FILTERS, selectRecords } from './audit-records.js';
import { defineCommand } from './define.js';

const line = (r: AuditRecord) => {
  const change = Object.entries(r.newFingerprints ?? {}).map(([ref, n]) => `${ref}: ${r.oldFingerprints?.[ref] ?? '(none)'} → ${n}`).join('; ');
  return `${r.at}  ${r.command.padEnd(13)} ${r.secret.padEnd(16)} ${r.outcome.padEnd(19)} exit ${r.exitCode}  ${r.actor?.user ?? '?'}@${r.actor?.host ?? '?'}${r.actor?.ci ? ` [${r.actor.ci}]` : ''}  ${r.rotationId}${change ? `\n    ${change}` : ''}${r.failure ? `\n    failure: ${r.failure.reason}` : ''}\n`;
};

export const auditShow = defineCommand({
  words: 'audit show',
  usage: '[<secret>] [--env E] [--agent A] [--fingerprint F] [--outcome O] [--since T] [--until T]',
  summary: 'the audit records (who, what, when, fingerprints old → new, outcome), filtered, as a table or --json',
  example: 'rekey audit show anthropic --since 2026-11-01 --outcome rolled-back',
  options: RECORD_FILTERS,
  stateful: true,
  async run(c, opts) {
    const rows = await selectRecords(c, opts);
    c.out(rows.length ? rows.map(line).join('') : 'no audit record matches\n', { records: rows });
    return ExitCode.ok;
  },
});
