import { ExitCode } from '../../core/exit-codes.js';
import { RECORD_FILTERS, selectRecords } from './audit-records.js';
import { defineCommand } from './define.js';

export const auditExport = defineCommand({
  words: 'audit export',
  usage: '[<secret>] [--env E] [--agent A] [--fingerprint F] [--outcome O] [--since T] [--until T]',
  summary: 'the audit records as stored (one JSON object per line, chain fields included), filtered like audit show',
  example: 'rekey audit export --since 2026-11-01 > rekey-audit-november.jsonl',
  options: RECORD_FILTERS,
  stateful: true,
  async run(c, opts) {
    // one JSON record per line, as stored (chain fields included): for shipping elsewhere
    const rows = await selectRecords(c, opts);
    c.io.stdout(rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
    return ExitCode.ok;
  },
});
