import { BackendError } from '../core/errors.js';

/**
 * Bound a port call: a port that ignores its AbortSignal still cannot hang rekey. The call fails
 * with a retryable TIMEOUT after `ms` (or when `signal` fires, with its reason).
 */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (why: string) => reject(new BackendError('TIMEOUT', `${what}: ${why}`, { retryable: true }));
    if (signal?.aborted) return fail(`aborted (${String((signal.reason as Error)?.message ?? signal.reason)})`);
    const t = setTimeout(() => fail(`no answer within ${ms} ms`), ms);
    const onAbort = () => (clearTimeout(t), fail(`aborted (${String((signal?.reason as Error)?.message ?? signal?.reason)})`));
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (clearTimeout(t), signal?.removeEventListener('abort', onAbort), resolve(v)),
      (e) => (clearTimeout(t), signal?.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
