import type { AuditRecord } from '../../audit/audit-record.js';
import type { ChainReport } from '../../audit/chain.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { AuditAnchor } from '../../core/ports.js';
import { statePaths } from '../paths.js';
import { defineCommand } from './define.js';
import { type CommandContext, loadPolicy } from './context.js';

export const renderChain = (file: string, r: ChainReport): string =>
  r.ok
    ? `audit log ${file}: chain intact, ${r.records} record(s)${r.files ? ` in ${r.files} files` : ''}${r.legacy ? ` (${r.legacy} written before the chain began)` : ''}${r.headHash ? `, head ${r.headHash.slice(0, 16)}` : ''}${r.tornTail ? '; a torn last line (a crash mid-append) is skipped' : ''}\n`
    : `audit log ${file}: CHAIN BROKEN at ${r.broken!.file && r.broken!.file !== file ? `${r.broken!.file} ` : ''}line ${r.broken!.line}${r.broken!.seq !== undefined ? ` (record ${r.broken!.seq})` : ''}: ${r.broken!.reason}\n`;

/** the log against its anchor in a shared backend: a deleted or rewritten tail shows there */
async function checkAnchor(c: CommandContext, file: string): Promise<{ ok: boolean; line: string; anchor: AuditAnchor | null } | null> {
  let policy;
  try {
    policy = await loadPolicy(c.a.global.policy, c.io.env.HOME);
  } catch {
    return null; // no policy here: nothing says where an anchor would be
  }
  const a = policy.audit?.anchor;
  if (!a) return null;
  const deps = c.depsFor(policy);
  const ref = a.ref.replaceAll('{host}', deps.planContext.hostname);
  const anchor = await deps.backend(a.backend).readAnchor!(ref, deps.signal);
  if (!anchor) return { ok: true, line: `anchor ${a.backend}:${ref}: none written yet\n`, anchor };
  const records = (await deps.audit.read()) as (AuditRecord & { seq?: number; hash?: string })[];
  const last = records.filter((r) => typeof r.seq === 'number').at(-1);
  const same = records.find((r) => r.seq === anchor.seq);
  const where = `anchor ${a.backend}:${ref} (record ${anchor.seq}, written by ${anchor.host} at ${anchor.at})`;
  if (!same) {
    return { ok: false, line: `${where}: the log ${file} ends at record ${last?.seq ?? 0}: records ${(last?.seq ?? 0) + 1}…${anchor.seq} were DELETED\n`, anchor };
  }
  if (same.hash !== anchor.hash) return { ok: false, line: `${where}: record ${anchor.seq} of ${file} is not the one anchored: the log was REWRITTEN\n`, anchor };
  return { ok: true, line: `${where}: matches${last && last.seq! > anchor.seq ? ` (the log goes on to record ${last.seq}: anchoring those failed or is behind)` : ''}\n`, anchor };
}

export const auditVerify = defineCommand({
  words: 'audit verify',
  usage: '',
  summary: "walk the audit log's hash chain (and its anchor in a shared backend): exit 0 intact, exit 4 naming the first edited, missing, inserted or reordered record",
  example: 'rekey audit verify || alert "rekey audit log tampered"',
  options: {},
  stateful: true,
  async run(c) {
    const { home, out, depsFor } = c;
    const deps = depsFor(null);
    const file = statePaths(home).audit;
    const r = await deps.audit.verify!();
    const anchored = r.ok ? await checkAnchor(c, file) : null;
    out(renderChain(file, r) + (anchored?.line ?? ''), { file, ...r, ...(anchored ? { anchor: anchored.anchor, anchorOk: anchored.ok } : {}) });
    return r.ok && (anchored?.ok ?? true) ? ExitCode.ok : ExitCode.backend;
  },
});
