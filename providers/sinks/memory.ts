import type { Sink } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';

/** The sink fake: one value per target id. `fail` makes the next call of a method throw. */
/** `restoredPaths`: the `sink.path` of every target restore was called for (what resume acted on) */
export function createMemorySink(kind = 'memory'): Sink & { values: Map<string, SecretValue | null>; fail: Set<'check' | 'snapshot' | 'write' | 'restore'>; restoredPaths: string[] } {
  const values = new Map<string, SecretValue | null>();
  const restoredPaths: string[] = [];
  const fail = new Set<'check' | 'snapshot' | 'write' | 'restore'>();
  const maybeFail = (m: 'check' | 'snapshot' | 'write' | 'restore') => {
    if (fail.has(m)) throw new Error(`injected ${m} failure`);
  };
  return {
    kind,
    values,
    fail,
    restoredPaths,
    async check() {
      maybeFail('check');
    },
    async snapshot(t) {
      maybeFail('snapshot');
      const v = values.get(t.id) ?? null;
      return { sinkKind: kind, targetId: t.id, data: SecretValue.of(JSON.stringify(v === null ? null : v.reveal())) };
    },
    async write(t, value) {
      maybeFail('write');
      const cur = values.get(t.id);
      if (cur && cur.equals(value)) return { changed: false };
      values.set(t.id, value);
      return { changed: true };
    },
    async restore(t, snap) {
      maybeFail('restore');
      const path = (t.sink as { path?: string }).path;
      if (path) restoredPaths.push(path);
      const old = JSON.parse(snap.data.reveal()) as string | null;
      const cur = values.get(t.id) ?? null;
      if ((old === null && cur === null) || (old !== null && cur !== null && cur.reveal() === old)) return { changed: false };
      if (old === null) values.delete(t.id);
      else values.set(t.id, SecretValue.of(old));
      return { changed: true };
    },
    async read(t) {
      return values.get(t.id) ?? null;
    },
  };
}
