import type { Plan } from '../plan/planner.js';
import type { RekeyDeps } from './context.js';
import { isPutVersion } from './rotate.js';

/**
 * Read-only look at the backend for `plan`: pending versions that another rotation left behind
 * (they block a rotation; AWS rotations too) and pending values put by an operator.
 */
export async function pendingReport(plan: Plan, deps: RekeyDeps): Promise<string[]> {
  const backend = deps.backend(plan.backend);
  const notes: string[] = [];
  for (const ref of plan.refs) {
    try {
      const versions = await deps.retry(`versions ${ref}`, () => backend.versions(ref, deps.signal));
      const pending = versions.find((v) => v.stages.includes('pending'));
      if (!pending) notes.push(`${ref}: no pending value (provider keys: \`rekey put\` one first)`);
      else if (isPutVersion(pending.rotationId)) notes.push(`${ref}: pending value ${pending.fingerprint ?? pending.versionId} ready to rotate`);
      else notes.push(`${ref}: PENDING HELD by another rotation (version ${pending.versionId}): rotate refuses it unless --take-over-pending`);
    } catch (e) {
      notes.push(`${ref}: could not check the backend (${(e as Error).message})`);
    }
  }
  return notes;
}
