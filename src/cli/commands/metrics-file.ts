/** The policy's Prometheus textfile, written atomically (0644: node_exporter reads it) after a run. */
import type { Policy } from '../../policy/schema.js';
import type { RekeyDeps } from '../../usecases/context.js';
import type { DueItem } from '../../usecases/due.js';

export async function writeMetrics(policy: Policy, deps: RekeyDeps, states: Omit<DueItem, 'outcome' | 'exitCode'>[], run: { command: string; exitCode: number }): Promise<string | null> {
  const file = policy.metrics?.textfile;
  if (!file) return null;
  const [{ renderMetrics }, { atomicWrite }, { expandHome }] = await Promise.all([import('../../usecases/metrics.js'), import('../../io/atomic-write.js'), import('../../plan/planner.js')]);
  const path = expandHome(file, deps.planContext.home);
  const records = await deps.audit.read().catch(() => []);
  const pendingRetirements = (await deps.retirements?.open().catch(() => [])) ?? [];
  await atomicWrite(path, Buffer.from(renderMetrics({ now: deps.clock.now(), states, records, run, pendingRetirements }), 'utf8'), { mode: 0o644 });
  return path;
}
