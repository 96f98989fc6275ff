import type { SecretValue } from '../core/secret-value.js';
import type { Target } from '../core/target.js';
import type { RekeyDeps } from './context.js';

/**
 * Every sink the value would go to can hold it exactly (env-file encoding, one stdin line…):
 * the same checks the write makes, run before anything is stored or written. Throws UsageError.
 */
export function assertDeliverable(targets: readonly Target[], value: SecretValue, deps: Pick<RekeyDeps, 'sink'>): void {
  const seen = new Set<string>();
  for (const t of targets) {
    const key = `${t.sink.kind} ${t.envVar}`;
    if (seen.has(key)) continue;
    seen.add(key);
    deps.sink(t.sink.kind).accepts?.(t, value);
  }
}
