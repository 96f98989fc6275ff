import { BackendError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/ports.js';
import { withTimeout } from './timeout.js';

/**
 * The one retry layer (SDK retries are turned down): retryable backend errors (throttling,
 * network, 5xx) are retried with exponential backoff and jitter; everything else fails at once.
 */
export function createRetry(opts: { clock: Clock; log: Logger; attempts?: number; baseMs?: number; jitter?: () => number; attemptTimeoutMs?: number }) {
  const attempts = opts.attempts ?? 5;
  const base = opts.baseMs ?? 250;
  const jitter = opts.jitter ?? (() => 0.5);
  return async function retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await (opts.attemptTimeoutMs ? withTimeout(fn(), opts.attemptTimeoutMs, what) : fn());
      } catch (e) {
        const retryable = e instanceof BackendError && e.retryable;
        if (!retryable || i >= attempts) throw e;
        const delay = Math.round(base * 2 ** (i - 1) * (0.5 + jitter()));
        opts.log.warn({ what, attempt: i, delayMs: delay, code: e.code }, 'retrying backend call');
        await opts.clock.sleep(delay);
      }
    }
  };
}
