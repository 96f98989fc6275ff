import type { AuditRecord } from '../audit/audit-record.js';
import type { ChainReport } from '../audit/chain.js';
import type { Logger } from '../core/logger.js';
import type { OpenclawCli } from '../core/openclaw.js';
import type { AuditLog as AuditLogPort, Clock, Exec, HostInfo, HttpPost, Issuer, Journal as JournalPort, RetirementLog, KeyProbe, Random, ResidueScanner, SecretBackend, ServiceManager, Sink, Verifier } from '../core/ports.js';
import type { Target } from '../core/target.js';
import type { PlanContext } from '../plan/planner.js';
import type { JournalEvent } from '../rotation/state.js';

export type { LockManager, SnapshotStore } from '../core/ports.js';
export type Journal = JournalPort<JournalEvent>;
export type AuditLog = AuditLogPort<AuditRecord, ChainReport>;
import type { LockManager, SnapshotStore } from '../core/ports.js';

/** Everything a use case needs, built once by the CLI's composition root. */
export interface RekeyDeps {
  backend(name: string): SecretBackend;
  /** end sessions the adapters opened (a Vault AppRole token is revoked); called once per command */
  close?(): Promise<void>;
  sink(kind: string): Sink;
  /** the manager of a target's (resolved) service */
  service(svc: NonNullable<Target['service']>): ServiceManager;
  verifier(kind: string): Verifier;
  journal: Journal;
  snapshots: SnapshotStore;
  locks: LockManager;
  audit: AuditLog;
  clock: Clock;
  random: Random;
  log: Logger;
  retry<T>(what: string, fn: () => Promise<T>): Promise<T>;
  actor: AuditRecord['actor'];
  planContext: PlanContext;
  signal: AbortSignal;
  rollbackTimeoutMs: number;
  /** a step (one port call) that takes longer fails, so a hung sink/service/backend cannot hang the rotation */
  stepTimeoutMs: number;
  /** OpenClaw's backup files that still hold an old value (by content; reported as fingerprints) */
  residue?: ResidueScanner;
  /** asks a target's provider whether it accepts a key (absent in the in-process fakes: no probing) */
  probe?: KeyProbe;
  /** the policy's issuers, by name (mint and retire upstream); absent in fakes that do not model them */
  issuer?: (name: string) => Issuer;
  retirements?: RetirementLog;
  /** notifications (policy `notify`): an HTTPS POST and a command run (absent in fakes that do not notify) */
  http?: HttpPost;
  exec?: Exec;
  /** what rekey asks the OpenClaw deployments besides sinks and verifiers (absent in fakes that do not model it) */
  openclaw?: OpenclawCli;
  /** files and processes as `rekey doctor` looks at them (absent in fakes that do not model the host) */
  host?: HostInfo;
  onEvent?: (e: JournalEvent) => void;
  afterAppend?: (e: JournalEvent) => void | Promise<void>;
}

/** Sortable, unique, safe in file names and as an AWS ClientRequestToken (32–64 chars). */
export function newRotationId(deps: Pick<RekeyDeps, 'clock' | 'random'>): string {
  return sortableId(deps, 12);
}

/** `<yyyymmddThhmmssZ>-<2n hex>`: sorts by the time it was made */
export function sortableId(deps: Pick<RekeyDeps, 'clock' | 'random'>, randomBytes: number): string {
  const ts = deps.clock.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${ts}-${deps.random.bytes(randomBytes).toString('hex')}`;
}
