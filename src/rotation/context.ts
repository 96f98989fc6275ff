import type { AuditRecord } from '../audit/audit-record.js';
import type { Logger } from '../core/logger.js';
import type { Clock, KeyProbe, Random, SecretBackend, ServiceManager, Sink, Verifier } from '../core/ports.js';
import type { PlanContext } from '../plan/planner.js';
import type { SourceObservation } from '../plan/shadow.js';
import type { Target } from '../core/target.js';
import type { SecretValue } from '../core/secret-value.js';
import type { SecretsApplyPlan } from '../plan/adopt-plan.js';

export type SecretsApplyPort = (
  t: Target,
  plan: SecretsApplyPlan,
  opts: { dryRun: boolean; name: string },
) => Promise<{ planFile: string; changedFiles: string[]; resolvable: boolean; warnings: string[] }>;
import type { JournalEvent } from './state.js';
import type { AuditLog, Journal, LockManager, SnapshotStore } from './stores.js';

/** Everything a use case needs, built once by the CLI's composition root. */
export interface RekeyDeps {
  backend(name: string): SecretBackend;
  /** end sessions the adapters opened (a Vault AppRole token is revoked); called once per command */
  close?(): Promise<void>;
  sink(kind: string): Sink;
  service(kind: string): ServiceManager;
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
  /** every place a target's provider key could come from (read-only); absent in fakes that do not model it */
  sources?: (t: Target, signal: AbortSignal) => Promise<SourceObservation>;
  /** OpenClaw's backup files that still hold an old value (by content; reported as fingerprints) */
  residue?: { scan(dirs: string[], values: SecretValue[]): Promise<{ file: string; fingerprints: string[] }[]>; remove(file: string): Promise<void> };
  /** `openclaw secrets apply` of a plan for the OpenClaw deployment of a target (rekey openclaw adopt) */
  secretsApply?: SecretsApplyPort;
  /** asks a target's provider whether it accepts a key (absent in the in-process fakes: no probing) */
  probe?: KeyProbe;
  /** paired devices of the Gateway a server-role target reaches (their tokens are separate credentials) */
  devices?: (t: Target, signal: AbortSignal) => Promise<{ paired: { deviceId: string; name?: string; roles: string[] }[]; pending: number }>;
  rotateDevice?: (t: Target, device: string, role: string, signal: AbortSignal) => Promise<unknown>;
  onEvent?: (e: JournalEvent) => void;
  afterAppend?: (e: JournalEvent) => void | Promise<void>;
}

/** Sortable, unique, safe in file names and as an AWS ClientRequestToken (32–64 chars). */
export function newRotationId(deps: Pick<RekeyDeps, 'clock' | 'random'>): string {
  const ts = deps.clock.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${ts}-${deps.random.bytes(12).toString('hex')}`;
}
