import type { AuditRecord } from '../../src/audit/audit-record.js';
import { UnsafeError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Clock, RetirementEntry, RetirementLog, Snapshot } from '../../src/core/ports.js';
import type { RekeyDeps } from '../../src/usecases/context.js';
import type { JournalEvent } from '../../src/rotation/state.js';
import type { AuditLog, Journal, LockManager, SnapshotStore } from '../../src/usecases/context.js';
import { catalog } from '../../providers/registry.js';
import { createMemoryBackend } from '../../providers/backends/memory.js';
import { createMemorySink } from '../../providers/sinks/memory.js';
import { createMemoryService } from '../../providers/services/memory.js';
import { createMemoryVerifier } from '../../providers/verifiers/memory.js';
import { createRetry } from '../../src/rotation/retry.js';

export function memoryJournal(): Journal & { events: Map<string, JournalEvent[]> } {
  const events = new Map<string, JournalEvent[]>();
  return {
    events,
    async append(e) {
      // structuredClone: what is journaled is data, like a JSONL line
      events.set(e.rotationId, [...(events.get(e.rotationId) ?? []), structuredClone(e)]);
    },
    async read(id) {
      return events.get(id) ?? [];
    },
    async list() {
      return [...events.keys()].sort();
    },
    async unfinished() {
      return [...events.entries()]
        .filter(([, es]) => !es.some((e) => e.type === 'end'))
        .map(([id, es]) => ({ rotationId: id, secret: (es.find((e) => e.type === 'begin') as { secret: string }).secret }));
    },
  };
}

export function memorySnapshots(): SnapshotStore & { data: Map<string, Snapshot> } {
  const data = new Map<string, Snapshot>();
  return {
    data,
    async save(r, s) {
      data.set(`${r}|${s.targetId}`, s);
    },
    async load(r, t) {
      return data.get(`${r}|${t}`) ?? null;
    },
    async drop(r) {
      for (const k of [...data.keys()]) if (k.startsWith(`${r}|`)) data.delete(k);
    },
  };
}

export function memoryLocks(): LockManager & { held: Set<string> } {
  const held = new Set<string>();
  return {
    held,
    async acquire(name) {
      if (held.has(name)) throw new UnsafeError('LOCK_HELD', `secret "${name}" is locked`);
      held.add(name);
      return { release: async () => void held.delete(name) };
    },
    async sweepStale() {
      return [];
    },
    async inspect(name) {
      return held.has(name) ? { pid: 1, host: 'h', rotationId: '?', since: '?', alive: true } : null;
    },
  };
}

export function memoryAudit(): AuditLog & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return { records, append: async (r) => void records.push(r), read: async () => [...records] };
}

export function fakeClock(start = Date.parse('2026-11-24T00:00:00Z')): Clock & { advance(ms: number): void } {
  let t = start;
  return {
    now: () => new Date(t),
    sleep: async (ms) => void (t += ms),
    advance: (ms) => void (t += ms),
  };
}

export function memoryRetirements(): RetirementLog & { lines: unknown[] } {
  const lines: ({ type: 'add' } & RetirementEntry | { type: 'close'; id: string })[] = [];
  return {
    lines,
    add: async (e) => void lines.push({ type: 'add', ...e }),
    close: async (id) => void lines.push({ type: 'close', id }),
    open: async () => {
      const closed = new Set(lines.filter((l) => l.type === 'close').map((l) => l.id));
      return lines.filter((l): l is { type: 'add' } & RetirementEntry => l.type === 'add' && !closed.has(l.id)).map(({ type: _t, ...e }) => e);
    },
  };
}

/** A full RekeyDeps on fakes: memory backend, one memory sink/service/verifier kind each. */
export function fakeDeps() {
  const clock = fakeClock();
  const backend = createMemoryBackend(() => clock.now());
  const sink = createMemorySink('memory');
  const service = createMemoryService();
  const verifier = createMemoryVerifier();
  const journal = memoryJournal();
  const snapshots = memorySnapshots();
  const locks = memoryLocks();
  const audit = memoryAudit();
  const retirements = memoryRetirements();
  let n = 0;
  const deps: RekeyDeps = {
    backend: () => backend,
    sink: () => sink,
    service: () => service,
    verifier: () => verifier,
    journal,
    snapshots,
    locks,
    audit,
    clock,
    random: { id: () => `id${++n}`, bytes: (k) => Buffer.alloc(k, ++n) },
    log: silentLogger,
    retry: createRetry({ clock, log: silentLogger, attemptTimeoutMs: 200 }),
    actor: { user: 'test', uid: 0, host: 'h', pid: 1 },
    planContext: { hostname: 'h', home: '/home/test', adapters: catalog },
    signal: new AbortController().signal,
    rollbackTimeoutMs: 60_000,
    stepTimeoutMs: 200,
    retirements,
  };
  return { deps, backend, sink, service, verifier, journal, snapshots, locks, audit, clock, retirements };
}
