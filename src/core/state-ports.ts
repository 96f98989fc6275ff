/**
 * The rotation's own persistence: the write-ahead journal, the snapshot store, the lock and the
 * audit log. File implementations live in src/io. Re-exported by ports.ts.
 */
import type { Snapshot } from './ports.js';

/** The write-ahead journal, generic over its events (src/rotation/state.ts's JournalEvent). */
export interface Journal<E extends { rotationId: string } = { rotationId: string; type: string }> {
  /** append one event durably (fsync) before returning */
  append(e: E): Promise<void>;
  read(rotationId: string): Promise<E[]>;
  /** rotations whose journal has no `end` event; `damaged`: the journal cannot be read whole (resume names the error) */
  unfinished(): Promise<{ rotationId: string; secret: string; damaged?: boolean }[]>;
  /** rotation ids, newest last */
  list(): Promise<string[]>;
}

export interface SnapshotStore {
  save(rotationId: string, snap: Snapshot): Promise<void>;
  load(rotationId: string, targetId: string): Promise<Snapshot | null>;
  drop(rotationId: string): Promise<void>;
}

export interface LockHandle {
  release(): Promise<void>;
}

export interface LockManager {
  /** throws UnsafeError (exit 3) if a live process holds it; recovers a stale one */
  acquire(name: string, owner: { rotationId: string; command: string }): Promise<LockHandle>;
  inspect(name: string): Promise<{ pid: number; host: string; rotationId: string; since: string; alive: boolean } | null>;
  /** remove every lock whose owner on this host is dead; returns their names */
  sweepStale(): Promise<string[]>;
}

/** The audit log, generic over its records (src/audit/audit-record.ts) and its chain report. */
export interface AuditLog<R = unknown, Report = unknown> {
  append(r: R): Promise<void>;
  /** every record, oldest first (a torn last line skipped) */
  read(): Promise<R[]>;
  /** walk the hash chain: intact, or the first broken record */
  verify?(): Promise<Report>;
  /** can at least one audit device record? (AUDIT_UNAVAILABLE, exit 4, if none): checked before anything is changed */
  ready?(): Promise<void>;
}
