/**
 * Ports: the only way core code reaches the world. Adapters live in providers/ (backends, sinks,
 * services, verifiers) and src/io (journal, lock, snapshot store, exec, clock).
 * Every mutating call is idempotent on the rotation id and takes an AbortSignal.
 */
import type { SecretValue } from './secret-value.js';
import type { Target } from './target.js';

export type Stage = 'current' | 'pending' | 'previous';

export interface BackendCapabilities {
  /** named stages (AWS labels) rather than emulated ones */
  nativeStages: boolean;
  /** check-and-set on promote */
  checkAndSet: boolean;
  /** where the coordination lives: 'local' (this host only) or 'shared' (many hosts) */
  scope: 'local' | 'shared';
  /** the first version ever staged of a ref is also current at once (AWS attaches AWSCURRENT to a secret's first version) */
  firstVersionIsCurrent?: boolean;
}

export interface SecretRead {
  value: SecretValue;
  versionId: string;
  /** the rotation that staged this version, when the backend records it */
  rotationId?: string;
}

export interface VersionInfo {
  versionId: string;
  stages: Stage[];
  rotationId?: string;
  /** present where the backend can compute it without revealing the value (local store) */
  fingerprint?: string;
  createdAt?: string;
}

export interface SecretBackend {
  readonly kind: string;
  capabilities(): BackendCapabilities;
  read(ref: string, stage: Stage, signal: AbortSignal): Promise<SecretRead | null>;
  /**
   * Store `value` as pending for `rotationId`; re-running with the same id is a no-op. `receipt`:
   * what the backend needs at promote/discard time that it cannot find again by itself (AWS: the
   * version staged and the AWSCURRENT version it was staged over); the runner journals it.
   */
  stage(ref: string, value: SecretValue, rotationId: string, signal: AbortSignal): Promise<{ versionId: string; receipt?: string; detail?: string }>;
  /** pending(rotationId) → current, old current → previous; no-op if already done */
  promote(ref: string, rotationId: string, signal: AbortSignal, receipt?: string): Promise<void>;
  /** drop the pending version of rotationId; no-op if absent */
  discard(ref: string, rotationId: string, signal: AbortSignal, receipt?: string): Promise<void>;
  versions(ref: string, signal: AbortSignal): Promise<VersionInfo[]>;
  /** may rekey write this ref at all? (AWS: not scheduled for deletion, no native rotation) throws a RekeyError if not; read-only */
  checkWritable?(ref: string, signal: AbortSignal): Promise<void>;
  /** the audit chain's head kept outside this host (shared backends): no value, a hash and a sequence number */
  writeAnchor?(ref: string, head: AuditAnchor, signal: AbortSignal): Promise<void>;
  readAnchor?(ref: string, signal: AbortSignal): Promise<AuditAnchor | null>;
  /** pre-minted values waiting to be drawn by a rotation (providers that cannot mint); absent: no pool */
  standby?: StandbyPool;
  /**
   * delete the ref: every version, its pending value and its standby pool, so no reader with any
   * grant gets a value back (a CI lease at its end: `rekey ci revoke`/`reap`); no-op if absent
   */
  remove?(ref: string, signal: AbortSignal): Promise<void>;
}

export interface StandbyEntry {
  /** time-ordered: `<yyyymmddThhmmssZ>-<hex>`, so the oldest sorts first */
  id: string;
  fingerprint: string;
}

/**
 * The standby pool of a ref: values an admin minted ahead of need (`rekey put --standby`). Not
 * pending, never seen by consumers: a rotation with nothing pending and no minting issuer draws the
 * oldest, delivers it like a put value, and removes it from the pool once promoted. Idempotent on
 * the entry id.
 */
export interface StandbyPool {
  add(ref: string, id: string, value: SecretValue, signal: AbortSignal): Promise<void>;
  /** oldest first */
  list(ref: string, signal: AbortSignal): Promise<StandbyEntry[]>;
  read(ref: string, id: string, signal: AbortSignal): Promise<SecretValue | null>;
  /** no-op if absent */
  remove(ref: string, id: string, signal: AbortSignal): Promise<void>;
}

export interface AuditAnchor {
  seq: number;
  hash: string;
  host: string;
  at: string;
}

/** Sink-specific bytes needed to put a target back exactly as it was. Encrypted at rest. */
export interface Snapshot {
  sinkKind: string;
  targetId: string;
  data: SecretValue;
}

export interface Sink {
  readonly kind: string;
  /** pre-flight: is it safe to write here? throws UnsafeError (exit 3) if not */
  check(target: Target, signal: AbortSignal): Promise<void>;
  /** can this sink hold this value exactly? throws UsageError (exit 2) naming the fingerprint if not; pure */
  accepts?(target: Target, value: SecretValue): void;
  /** `previous`: the backend's current value, for sinks that cannot read back what they hold (stored profiles) */
  snapshot(target: Target, signal: AbortSignal, previous?: SecretValue | null): Promise<Snapshot>;
  write(target: Target, value: SecretValue, signal: AbortSignal): Promise<{ changed: boolean }>;
  restore(target: Target, snapshot: Snapshot, signal: AbortSignal): Promise<{ changed: boolean }>;
  /** what the consumer would read now (for read-back checks and `rekey exec`) */
  read(target: Target, signal: AbortSignal): Promise<SecretValue | null>;
}

export interface ServiceEnvironment {
  /** `Environment=` assignments and the parsed contents of every `EnvironmentFile=`, in systemd's order */
  vars: Record<string, SecretValue>;
  files: string[];
}

export interface ServiceManager {
  readonly kind: string;
  /** `running()` can read a running process's real environment (systemd on Linux: yes; launchd: no) */
  readonly seesProcesses: boolean;
  /** refuse (UnsafeError) if the unit is unknown or does not read every file in `files`; `details.managerUnreachable: true` when the manager itself could not be asked */
  preflight(unit: string, files: string[], signal: AbortSignal): Promise<void>;
  /** restart and wait (bounded) until it is running again; throws DeliveryError if it does not come up */
  restart(unit: string, signal: AbortSignal, opts?: { startTimeoutMs?: number; settleMs?: number }): Promise<void>;
  isActive(unit: string, signal: AbortSignal): Promise<boolean>;
  /** the words of the command the unit starts (launchd ProgramArguments; systemd's ExecStart= as `systemctl show` prints it, where a word with a space reads as two); [] if none */
  startCommand(unit: string, signal: AbortSignal): Promise<string[]>;
  /** the environment the unit's process gets at its next start (reconstructed from its files) */
  environment(unit: string, signal: AbortSignal): Promise<ServiceEnvironment>;
  /**
   * The running process of the unit and its real environment (Linux: /proc/<MainPID>/environ; with
   * `child`, its first child's, for a unit that starts through `rekey exec`); null when the unit
   * runs no process, or the manager cannot see one (launchd: see docs).
   */
  running(unit: string, signal: AbortSignal, opts?: { child?: boolean }): Promise<RunningProcess | null>;
  /** write a timer's files atomically where this manager reads them, reload, enable and start it; returns the paths */
  installTimer?(files: { name: string; text: string }[], timer: string, signal: AbortSignal): Promise<string[]>;
  timerStatus?(timer: string, service: string, signal: AbortSignal): Promise<TimerStatus>;
}

export interface TimerStatus {
  /** the unit file(s) exist and the timer is enabled */
  installed: boolean;
  next: string | null;
  last: string | null;
  /** the service's last run: success, exit-code, … (null: never ran) */
  lastResult: string | null;
  lastExitCode: number | null;
}

export interface RunningProcess {
  pid: number;
  env: Record<string, SecretValue>;
}

/** why a consumer did not verify: `shadowed` = another source wins over the one rekey writes */
export type VerifyFailure = 'shadowed' | 'mismatch' | 'missing' | 'wrong-source' | 'rejected' | 'died' | 'error';

export type VerifyResult =
  | { ok: true; detail: string }
  | { ok: false; layer: 'provider-key' | 'gateway-token'; code: VerifyFailure; reason: string; diagnosis?: string };

export interface VerifyContext {
  /** a value that must no longer work at the consumer (the old token after a rotation; the new one after a rollback) */
  refused?: SecretValue | null;
  /**
   * the check after a delivery (not the baseline, not after a rollback): the provider is asked to
   * accept what the consumer holds, and the consumer must still be alive when the check ends
   */
  forward?: boolean;
}

/** a provider's answer to "do you accept this key?" (a model listing: no tokens spent) */
export type ProbeOutcome =
  | { result: 'accepted'; status: number; url: string }
  | { result: 'refused'; status: number; code: string; url: string }
  | { result: 'unreachable'; why: string; url: string }
  | { result: 'unsupported'; why: string };

/** asks the provider of a target (at the base URL its OpenClaw uses) whether it accepts `value` */
export type KeyProbe = (t: Target, value: SecretValue, signal: AbortSignal) => Promise<ProbeOutcome>;

export interface Verifier {
  readonly kind: string;
  /** an expected failure is a value, not a throw; `expected` null = "no credential should be needed" */
  verify(target: Target, expected: SecretValue | null, signal: AbortSignal, ctx?: VerifyContext): Promise<VerifyResult>;
  /** static refusals before anything is written (UnsafeError), e.g. a token that would not be in effect */
  preflight?(target: Target, signal: AbortSignal): Promise<void>;
}

export interface Clock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** the values rekey handed the child (env values that may be secrets, stdin): childMessage scrubs them */
  secrets?: string[];
}

export interface ExecOptions {
  env?: Record<string, string>;
  /** secrets go here or in env, never in argv */
  stdin?: string;
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * `read`: the call only looks (e.g. `openclaw models status --json`): within one run an
   * identical earlier call that succeeded may answer it. `change`: the call changes what such
   * reads would see: every remembered answer is forgotten. Absent: neither.
   */
  reuse?: 'read' | 'change';
}

export interface Exec {
  run(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
}

export type { Issuer, RetirementEntry, RetirementLog, UpstreamStatus } from './upstream-ports.js';

/** One HTTPS POST (notifications): the status, or a thrown network error; bounded by `timeoutMs`. */
export type HttpPost = (url: string, body: string, headers: Record<string, string>, opts: { signal: AbortSignal; timeoutMs: number }) => Promise<{ status: number }>;

export interface Random {
  /** a new unique id (rotation ids) */
  id(): string;
  bytes(n: number): Buffer;
}

export type { AuditLog, Journal, LockHandle, LockManager, SnapshotStore } from './state-ports.js';

/** OpenClaw's backup files (.bak, .last-good) that still hold an old value: found by content, reported as fingerprints */
export interface ResidueScanner {
  scan(dirs: string[], values: SecretValue[]): Promise<{ file: string; fingerprints: string[] }[]>;
  /** the values in residue files under `dirs` whose fingerprint `matches` (a leaked value known only by its fingerprint) */
  find?(dirs: string[], matches: (fingerprint: string) => boolean): Promise<{ file: string; value: SecretValue }[]>;
  remove(file: string): Promise<void>;
}

/** What `rekey doctor` asks the host about files and processes (read-only; names, modes and times only). */
export interface HostInfo {
  /** the user rekey runs as */
  uid: number;
  /** lstat: null if absent */
  stat(path: string): Promise<{ mode: number; uid: number; mtimeMs: number; symlink: boolean } | null>;
  /** when a process started (ms since the epoch), null if it is gone */
  processStartMs(pid: number): Promise<number | null>;
  /** the first executable `name` on `searchPath` (colon-separated), symlinks resolved; null if none */
  which(name: string, searchPath: string): Promise<string | null>;
  /** the path with symlinks resolved (the path itself if it cannot be) */
  realpath(path: string): Promise<string>;
  /** a sink's `owner` (uid or user name) as a uid; undefined: rekey's own */
  ownerUid(owner: number | string | undefined): number;
}
