/** The audit records `audit show` and `audit export` select: one filter, spelled once. */
import type { AuditRecord } from '../../audit/audit-record.js';
import { UsageError } from '../../core/errors.js';
import type { OptionValues } from './define.js';
import { AGENT, ENV } from './define.js';
import type { CommandContext } from './context.js';

export const RECORD_FILTERS = {
  env: { ...ENV, help: 'records whose blast radius includes environment E' },
  agent: { ...AGENT, help: 'records whose blast radius includes agent A' },
  fingerprint: { type: 'string', value: 'F', help: 'records whose old or new fingerprint contains F' },
  outcome: { type: 'string', value: 'O', help: 'promoted, rolled-back, refused, stored, …' },
  since: { type: 'string', value: 'T', help: 'records at or after T (ISO 8601)' },
  until: { type: 'string', value: 'T', help: 'records at or before T (ISO 8601)' },
} as const;

const time = (s: string | undefined, flag: string) => {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError('BAD_ARGUMENTS', `--${flag} ${s} is not a date (use ISO 8601, e.g. 2026-11-30 or 2026-11-30T10:00Z)`);
  return t;
};

/** the records of [<secret>] that pass every filter given */
export async function selectRecords(c: CommandContext, opts: OptionValues<typeof RECORD_FILTERS>): Promise<AuditRecord[]> {
  const deps = c.depsFor(null);
  const secret = c.a.positionals[0];
  const { fingerprint: fp, outcome, env, agent } = opts;
  const since = time(opts.since, 'since');
  const until = time(opts.until, 'until');
  const fps = (r: AuditRecord) => [...Object.values(r.oldFingerprints ?? {}), ...Object.values(r.newFingerprints ?? {})].filter((x): x is string => typeof x === 'string');
  return (await deps.audit.read()).filter(
    (r) =>
      (!secret || r.secret === secret) &&
      (!env || r.blastRadius?.environments?.includes(env)) &&
      (!agent || r.blastRadius?.agents?.includes(agent)) &&
      (!fp || fps(r).some((x) => x.includes(fp))) &&
      (!outcome || r.outcome === outcome) &&
      (since === undefined || Date.parse(r.at) >= since) &&
      (until === undefined || Date.parse(r.at) <= until),
  );
}
