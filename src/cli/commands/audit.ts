import type { AuditRecord } from '../../audit/audit-record.js';
import type { ChainReport } from '../../audit/chain.js';
import { ExitCode } from '../../core/exit-codes.js';
import { UsageError } from '../../core/errors.js';
import { statePaths } from '../paths.js';
import type { AuditAnchor } from '../../core/ports.js';
import { type CommandContext, loadPolicy, str } from './context.js';

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

/** rekey audit verify: walk the hash chain (and the anchor, if the policy keeps one); exit 4 naming the first bad record */
export async function auditVerify(c: CommandContext): Promise<number> {
  const { home, out, depsFor } = c;
  const deps = depsFor(null);
  const file = statePaths(home).audit;
  const r = await deps.audit.verify!();
  const anchored = r.ok ? await checkAnchor(c, file) : null;
  out(renderChain(file, r) + (anchored?.line ?? ''), { file, ...r, ...(anchored ? { anchor: anchored.anchor, anchorOk: anchored.ok } : {}) });
  return r.ok && (anchored?.ok ?? true) ? ExitCode.ok : ExitCode.backend;
}

const time = (s: string | undefined, flag: string) => {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError('BAD_ARGUMENTS', `--${flag} ${s} is not a date (use ISO 8601, e.g. 2026-11-30 or 2026-11-30T10:00Z)`);
  return t;
};

/** rekey audit show|export [<secret>]: the records, filtered, as a table or --json (show), or JSON lines (export) */
export async function auditShow(c: CommandContext): Promise<number> {
  const { a, out, depsFor, filter } = c;
  const deps = depsFor(null);
  const secret = a.positionals[0];
  const fp = str(a.flags.fingerprint);
  const outcome = str(a.flags.outcome);
  const since = time(str(a.flags.since), 'since');
  const until = time(str(a.flags.until), 'until');
  const fps = (r: AuditRecord) => [...Object.values(r.oldFingerprints ?? {}), ...Object.values(r.newFingerprints ?? {})].filter((x): x is string => typeof x === 'string');
  const rows = (await deps.audit.read()).filter(
    (r) =>
      (!secret || r.secret === secret) &&
      (!filter.env || r.blastRadius?.environments?.includes(filter.env)) &&
      (!filter.agent || r.blastRadius?.agents?.includes(filter.agent)) &&
      (!fp || fps(r).some((x) => x.includes(fp))) &&
      (!outcome || r.outcome === outcome) &&
      (since === undefined || Date.parse(r.at) >= since) &&
      (until === undefined || Date.parse(r.at) <= until),
  );
  const line = (r: AuditRecord) => {
    const change = Object.entries(r.newFingerprints ?? {}).map(([ref, n]) => `${ref}: ${r.oldFingerprints?.[ref] ?? '(none)'} → ${n}`).join('; ');
    return `${r.at}  ${r.command.padEnd(13)} ${r.secret.padEnd(16)} ${r.outcome.padEnd(19)} exit ${r.exitCode}  ${r.actor?.user ?? '?'}@${r.actor?.host ?? '?'}${r.actor?.ci ? ` [${r.actor.ci}]` : ''}  ${r.rotationId}${change ? `\n    ${change}` : ''}${r.failure ? `\n    failure: ${r.failure.reason}` : ''}\n`;
  };
  if (a.command[1] === 'export') {
    // one JSON record per line, as stored (chain fields included): for shipping elsewhere
    c.io.stdout(rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
    return ExitCode.ok;
  }
  out(rows.length ? rows.map(line).join('') : 'no audit record matches\n', { records: rows });
  return ExitCode.ok;
}
