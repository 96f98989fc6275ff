import type { AuditRecord } from '../audit/audit-record.js';
import { RekeyError } from '../core/errors.js';
import type { Plan } from '../plan/planner.js';
import type { RekeyDeps } from './context.js';
import type { ProbeRecord } from './probe-keys.js';

/**
 * The audit record of a run that is not a rotation of the runner (put, adopt, a device token, a
 * refusal): who, what, when and the plan's blast radius; `fields` adds the outcome and the rest.
 */
export function runRecord(
  command: AuditRecord['command'],
  rotationId: string,
  plan: Plan,
  deps: Pick<RekeyDeps, 'clock' | 'actor'>,
  started: number,
  fields: Pick<AuditRecord, 'outcome' | 'exitCode'> & Partial<AuditRecord>,
): AuditRecord {
  return {
    v: 1,
    at: deps.clock.now().toISOString(),
    rotationId,
    command,
    actor: deps.actor,
    secret: plan.secret,
    layer: plan.layer,
    oldFingerprints: {},
    newFingerprints: {},
    blastRadius: plan.blastRadius,
    rollbackPoint: {},
    targets: plan.targets.map((t) => ({ id: t.id, verified: null })),
    ...fields,
    durationMs: deps.clock.now().getTime() - started,
  };
}

/** what failed, for an audit record: the message and, for rekey's own errors, the code */
export const failureOf = (e: unknown): NonNullable<AuditRecord['failure']> => ({ reason: (e as Error).message, ...(e instanceof RekeyError ? { code: e.code } : {}) });

/**
 * A run refused before it changed anything (exit 2 or 3: lock held, unfinished rotation, unsafe
 * target, a value no sink can hold) still leaves an audit record: outcome `refused` and the code.
 */
export async function refusedIsAudited<T>(fn: () => Promise<T>, command: AuditRecord['command'], rotationId: string, plan: Plan, deps: RekeyDeps, started: number): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RekeyError && (e.exitCode === 2 || e.exitCode === 3)) {
      await deps.audit.append(
        runRecord(command, rotationId, plan, deps, started, {
          outcome: 'refused',
          exitCode: e.exitCode,
          failure: failureOf(e),
          ...(Array.isArray(e.details?.probes) ? { probes: e.details.probes as ProbeRecord[] } : {}),
        }),
      );
    }
    throw e;
  }
}

