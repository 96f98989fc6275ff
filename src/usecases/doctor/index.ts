/**
 * `rekey doctor`: the production auth runbook as one command. Classifies first (Gateway session
 * vs provider key), then looks at what breaks auth in practice, for every target of the policy
 * on this host. Read-only: nothing is written, restarted or sent but the checks' own reads
 * (openclaw CLI reads, a provider's model listing).
 */
import { isRekeyError } from '../../core/errors.js';
import type { Target } from '../../core/target.js';
import { planRotation, type PlanFilter } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import { inPool } from '../in-pool.js';
import { binaryChecks } from './binary.js';
import { doctorExitCode, finding, type Category, type Finding } from './codes.js';
import { doctorContext, type DoctorContext, type DoctorDeps } from './context.js';
import { residueChecks, rotationChecks } from './health.js';
import { consumerChecks, gatewayChecks } from './layer.js';
import { sourceChecks } from './sources.js';
import { driftChecks, unitTokenChecks } from './token.js';
import { fileChecks, heldChecks, unitReadsFiles } from './wiring.js';

export { FINDING_CODES, doctorExitCode, type Finding, type FindingCode } from './codes.js';

export interface DoctorReport {
  ok: boolean;
  exitCode: 0 | 1 | 2;
  summary: { fail: number; warn: number; info: number };
  /** what was looked at: target ids, units */
  checked: { targets: string[]; units: string[] };
  findings: Finding[];
}

export interface DoctorOptions {
  filter: PlanFilter;
  /** the operator's PATH (which openclaw they would run by hand) */
  searchPath: string;
  /** how many openclaw processes at a time (each check of a target runs one or two) */
  parallel?: number;
  /** progress: a category done, with its finding count and time */
  onCategory?: (category: Category, findings: number, ms: number) => void;
}

const ORDER: Category[] = ['layer', 'wiring', 'binary', 'sources', 'token', 'residue', 'rotation', 'doctor'];
const RANK = { fail: 0, warn: 1, info: 2 } as const;

export async function doctor(policy: Policy, deps: DoctorDeps, opts: DoctorOptions): Promise<DoctorReport> {
  const plans = Object.keys(policy.secrets).map((s) => planRotation(policy, s, opts.filter, deps.planContext));
  const c = doctorContext(policy, plans, deps, opts.searchPath);
  const targets = plans.flatMap((p) => p.targets);
  const findings: Finding[] = [];
  const parallel = opts.parallel ?? 2;
  /** a check that throws is a finding, not the end of the run */
  const guard = async (what: string, fn: () => Promise<Finding[]>): Promise<Finding[]> => {
    try {
      return await fn();
    } catch (e) {
      if (deps.signal.aborted) throw e;
      const why = isRekeyError(e) ? `${e.code}: ${e.message}` : (e as Error).message;
      return [finding('CHECK_FAILED', 'host', what, `${what} could not be checked: ${why}`, 'rekey doctor --json  # rerun; the evidence names the check', { check: what, error: why.slice(0, 300) })];
    }
  };
  const perTarget = (what: string, fn: (c: DoctorContext, t: Target) => Promise<Finding[]>) => async () => (await inPool(targets, parallel, (t) => guard(`${what} ${t.id}`, () => fn(c, t)))).flat();
  const categories: [Category, () => Promise<Finding[]>][] = [
    ['layer', async () => [...(await guard('gateway status', () => gatewayChecks(c))), ...(await perTarget('verify', consumerChecks)())]],
    ['wiring', async () => [...(await guard('unit files', () => unitReadsFiles(c))), ...(await perTarget('files', fileChecks)()), ...(await perTarget('held values', heldChecks)())]],
    ['binary', () => guard('openclaw binaries', () => binaryChecks(c))],
    ['sources', perTarget('sources', sourceChecks)],
    ['token', async () => [...(await guard('unit token', () => unitTokenChecks(c))), ...(await Promise.all(plans.map((p) => guard(`token drift ${p.secret}`, () => driftChecks(c, p))))).flat()]],
    ['residue', async () => (await Promise.all(plans.map((p) => guard(`residue ${p.secret}`, () => residueChecks(c, p))))).flat()],
    ['rotation', () => guard('rotation health', () => rotationChecks(c, opts.filter.env))],
  ];
  for (const [category, run] of categories) {
    const t0 = deps.clock.now().getTime();
    const found = await run();
    findings.push(...found);
    opts.onCategory?.(category, found.length, deps.clock.now().getTime() - t0);
  }
  findings.sort((a, b) => RANK[a.severity] - RANK[b.severity] || ORDER.indexOf(a.category) - ORDER.indexOf(b.category));
  const exitCode = doctorExitCode(findings);
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  return {
    ok: exitCode === 0,
    exitCode,
    summary: { fail: count('fail'), warn: count('warn'), info: count('info') },
    checked: { targets: targets.map((t) => t.id), units: (await c.units()).map((u) => u.unit) },
    findings,
  };
}
