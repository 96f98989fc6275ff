import { describeError } from '../../core/errors.js';
import type { RekeyDeps } from '../context.js';

/**
 * Discards a rollout's pending version of each ref (the coordinator's own abort, a takeover past
 * the deadline, `--abort` from another machine). `receipt`: what the backend needs to find it (AWS:
 * the version ids of the put). A discard that fails is logged, not thrown: the end record already
 * stands, and a leftover pending version is replaced by the next rollout's stage.
 */
export async function discardPending(backendName: string, refs: Iterable<[ref: string, receipt: string | undefined]>, rollout: string, deps: Pick<RekeyDeps, 'backend' | 'retry' | 'signal' | 'log'>): Promise<void> {
  const backend = deps.backend(backendName);
  for (const [ref, receipt] of refs) {
    await deps.retry(`discard ${ref}`, () => backend.discard(ref, rollout, deps.signal, receipt)).catch((e: unknown) => deps.log.warn({ ref, rollout, err: describeError(e) }, 'could not discard the pending version'));
  }
}
