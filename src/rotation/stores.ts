/** Ports of the rotation's own persistence; file implementations live in src/io. */
import type { Snapshot } from '../core/ports.js';
import type { AuditRecord } from '../audit/audit-record.js';
import type { JournalEvent } from './state.js';

export interface Journal {
  /** append one event durably (fsync) before returning */
  append(e: JournalEvent): Promise<void>;
  read(rotationId: string): Promise<JournalEvent[]>;
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

export interface AuditLog {
  append(r: AuditRecord): Promise<void>;
  /** every record, oldest first (a torn last line skipped) */
  read(): Promise<AuditRecord[]>;
  /** walk the hash chain: intact, or the first broken record */
  verify?(): Promise<import('../audit/chain.js').ChainReport>;
  /** can at least one audit device record? (AUDIT_UNAVAILABLE, exit 4, if none): checked before anything is changed */
  ready?(): Promise<void>;
}
