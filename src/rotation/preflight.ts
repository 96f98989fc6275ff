import type { Plan } from '../plan/planner.js';
import { sinkTouches } from '../plan/blast-radius.js';
import type { RekeyDeps } from './context.js';

/** Read-only checks before anything is written: every sink is safe, every unit reads its files. */
export async function preflight(plan: Plan, deps: RekeyDeps): Promise<void> {
  for (const t of plan.targets) await deps.sink(t.sink.kind).check(t, deps.signal);
  const byUnit = new Map<string, { kind: string; files: Set<string> }>();
  for (const t of plan.targets) {
    if (!t.service) continue;
    const u = byUnit.get(t.service.unit) ?? { kind: t.service.kind, files: new Set<string>() };
    if (t.sink.kind === 'systemd-env-file') sinkTouches(t).files.forEach((f) => u.files.add(f));
    byUnit.set(t.service.unit, u);
  }
  for (const [unit, u] of byUnit) await deps.service(u.kind).preflight(unit, [...u.files], deps.signal);
}
