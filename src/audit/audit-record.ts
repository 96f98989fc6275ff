import type { BlastRadius } from '../plan/blast-radius.js';
import type { Terminal } from '../rotation/transitions.js';
import type { ProbeOutcome } from '../core/ports.js';

/** One record per run: who, what, when, fingerprints old → new, blast radius, rollback point, outcome. */
export interface AuditRecord {
  v: 1;
  at: string;
  rotationId: string;
  command: 'rotate' | 'resume' | 'put' | 'adopt' | 'device-rotate' | 'retire' | 'store' | 'revoke' | 'ci-issue' | 'ci-end' | 'rotate-fleet' | 'agent';
  actor: { user: string; uid: number; host: string; pid: number; /** the CI runner and job, when rekey runs in CI */ ci?: string };
  secret: string;
  layer: string;
  outcome: Terminal | 'refused' | 'dry-run' | 'stored' | 'adopted' | 'failed' | 'device-rotated' | 'retired' | 'contained' | 'not-contained' | 'leased' | 'lease-ended';
  exitCode: number;
  /** backend ref → fingerprint (null: there was none) */
  oldFingerprints: Record<string, string | null>;
  newFingerprints: Record<string, string>;
  blastRadius: BlastRadius;
  /** what a rollback restores: the previous version per ref */
  rollbackPoint: Record<string, string | null>;
  targets: { id: string; verified: boolean | null }[];
  failure?: { phase?: string; item?: string; reason: string; code?: string | undefined };
  /** OpenClaw backups found holding an old value after a promote (paths and fingerprints), and whether --scrub removed them */
  residue?: { file: string; fingerprints: string[]; removed: boolean }[];
  /** the provider's answers about the new keys before delivery (fingerprints, never values) */
  probes?: ProbeRecord[];
  /** a retirement upstream: the issuer, the rotation that left the old key, when it was due, what the issuer and the provider said */
  retirement?: { issuer: string; rotationId: string; dueAt: string; upstream?: string; probe?: string };
  /** a value minted upstream for this rotation: issuer, upstream id (never the value) */
  minted?: { issuer: string; ref: string; id: string; expiresAt?: string }[];
  /** standby pool entries: added by `put --standby`, drawn by a rotation, or dropped (refused upstream); fingerprints only */
  standby?: { ref: string; id: string; fingerprint: string; event: 'added' | 'drawn' | 'dropped' }[];
  /** an emergency revoke: per consumer when it stopped holding the leaked value and verified with the new one, time to contain, what still holds it */
  containment?: {
    order: 'reissue-then-retire' | 'retire-first';
    rotationId: string | null;
    consumers: { target: string; agent: string; env: string; host: string; unit: string | null; stoppedHoldingAt: string | null; verifiedAt: string | null }[];
    containedAt: string | null;
    timeToContainMs: number | null;
    stillHolding: { where: string; fingerprint: string }[];
    manual: string[];
    withoutCredential?: string[];
  };
  /** a CI lease issued or ended (src/usecases/ci): runner, job, fingerprint, times, source; at its end why, what the issuer and the provider said */
  lease?: { id: string; runner: string; job: string | null; ref: string; fingerprint: string; issuedAt: string; expiresAt: string; source: string; issuer: string | null; upstreamId: string | null; /** the provider's answer about the key */ probe?: string; ended?: { reason: string; upstream: string; probe: string; removed: boolean } };
  /** a fleet rollout (src/usecases/fleet): the rollout, its waves, and per host what it acknowledged; on a host, what its agent did */
  fleet?: { rollout: string | null; seq: number; waves?: string[][]; hosts?: Record<string, { ack: string; fingerprints: Record<string, string>; at: string } | null>; missing?: string[]; what?: string; host?: string };
  durationMs: number;
  /** the hash chain (src/audit/chain.ts): added by the log when it appends */
  seq?: number;
  prev?: string;
  hash?: string;
}

/** A provider's answer to a key probe, as recorded (fingerprint only). */
export interface ProbeRecord {
  ref: string;
  provider: string;
  fingerprint: string;
  at: string;
  result: ProbeOutcome['result'];
  detail: string;
}
