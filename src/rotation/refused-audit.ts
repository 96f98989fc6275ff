import type { AuditRecord } from '../audit/audit-record.js';
import { RekeyError } from '../core/errors.js';
import type { Plan } from '../plan/planner.js';
import type { RekeyDeps } from './context.js';
import type { ProbeRecord } from './probe-keys.js';

/**
 * A run refused before it changed anything (exit 2 or 3: lock held, unfinished rotation, unsafe
 * target, a value no sink can hold) still leaves an audit record: outcome `refused` and the code.
 */
export async function refusedIsAudited<T>(fn: () => Promise<T>, command: AuditRecord['command'], rotationId: string, plan: Plan, deps: RekeyDeps, started: number): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RekeyError && (e.exitCode === 2 || e.exitCode === 3)) {
      await deps.audit.append({
        v: 1,
        at: deps.clock.now().toISOString(),
        rotationId,
        command,
        actor: deps.actor,
        secret: plan.secret,
        layer: plan.layer,
        outcome: 'refused',
        exitCode: e.exitCode,
        oldFingerprints: {},
        newFingerprints: {},
        blastRadius: plan.blastRadius,
        rollbackPoint: {},
        targets: plan.targets.map((t) => ({ id: t.id, verified: null })),
        failure: { reason: e.message, code: e.code },
        ...(Array.isArray(e.details?.probes) ? { probes: e.details.probes as ProbeRecord[] } : {}),
        durationMs: deps.clock.now().getTime() - started,
      });
    }
    throw e;
  }
}

