/**
 * What a revoke reports and records: the report's shape, the fingerprint match an operator types
 * (`sk-a…qqqq#016a6770` or its hash part), what still holds a leaked value, and the audit record.
 * Shared by the revoke of live versions (revoke.ts) and of backup-only values (revoke-residue.ts).
 */
import type { AuditRecord } from '../audit/audit-record.js';
import type { Stage } from '../core/ports.js';
import type { SecretValue } from '../core/secret-value.js';
import type { Plan } from '../plan/planner.js';
import type { RekeyDeps } from './context.js';
import type { RetireResult } from './retire.js';
import { stateDirs, type RotateReport } from './rotate.js';
import { runRecord } from './run-audit.js';

export interface LeakMatch {
  secret: string;
  env: string;
  ref: string;
  stage: Stage;
  fingerprint: string;
}

export interface ConsumerContainment {
  target: string;
  agent: string;
  env: string;
  host: string;
  unit: string | null;
  /** when it stopped holding the leaked value (its sink rewritten and, behind a unit, the unit restarted) */
  stoppedHoldingAt: string | null;
  /** when it verified with the new value */
  verifiedAt: string | null;
}

export interface RevokeReport {
  secret: string;
  env: string | null;
  order: 'reissue-then-retire' | 'retire-first';
  dryRun: boolean;
  /** `residue`: no backend version holds it any more, only OpenClaw backups of its consumers do */
  leaked: { ref: string; fingerprint: string; stage: Stage | 'residue' }[];
  rotation: Pick<RotateReport, 'rotationId' | 'outcome' | 'exitCode' | 'message' | 'newFingerprints' | 'minted' | 'standby' | 'residue'> | null;
  retirements: RetireResult[];
  /** what rekey cannot do itself (no issuer: the provider's console) */
  manual: string[];
  consumers: ConsumerContainment[];
  startedAt: string;
  /** when the last consumer verified with the new value and the leaked one was retired; null: not contained */
  containedAt: string | null;
  timeToContainMs: number | null;
  /** places rekey can see that still hold a leaked fingerprint (should be none) */
  stillHolding: { where: string; fingerprint: string }[];
  /** retire-first with no new value: the consumers left without a credential, and what restores them */
  withoutCredential?: { targets: string[]; restore: string };
  exitCode: number;
  message: string;
}

/** `sk-a…qqqq#016a6770` or just `016a6770` */
export const sameFingerprint = (have: string, asked: string) => have === asked || (!asked.includes('#') && have.endsWith(`#${asked}`));

/** sinks that still hand out a leaked value, and OpenClaw backups that still hold one */
export async function holders(plan: Plan, leaked: SecretValue[], deps: RekeyDeps): Promise<RevokeReport['stillHolding']> {
  const out: RevokeReport['stillHolding'] = [];
  for (const t of plan.targets) {
    const held = await deps.sink(t.sink.kind).read(t, deps.signal).catch(() => null);
    const hit = held && leaked.find((l) => l.equals(held));
    if (hit) out.push({ where: `${t.id} (${t.sink.kind})`, fingerprint: hit.fingerprint });
  }
  if (deps.residue) {
    const hits = await deps.residue.scan(stateDirs(plan, deps.planContext.home), leaked).catch(() => []);
    for (const h of hits) for (const fp of h.fingerprints) out.push({ where: h.file, fingerprint: fp });
  }
  return out;
}

export function revokeRecord(id: string, plan: Plan, r: RevokeReport, deps: RekeyDeps, started: number): AuditRecord {
  return runRecord('revoke', id, plan, deps, started, {
    outcome: r.containedAt ? 'contained' : 'not-contained',
    exitCode: r.exitCode,
    oldFingerprints: Object.fromEntries(r.leaked.map((l) => [l.ref, l.fingerprint])),
    newFingerprints: r.rotation?.newFingerprints ?? {},
    targets: r.consumers.map((c) => ({ id: c.target, verified: c.verifiedAt !== null })),
    containment: { order: r.order, rotationId: r.rotation?.rotationId ?? null, consumers: r.consumers, containedAt: r.containedAt, timeToContainMs: r.timeToContainMs, stillHolding: r.stillHolding, manual: r.manual, ...(r.withoutCredential ? { withoutCredential: r.withoutCredential.targets } : {}) },
  });
}
