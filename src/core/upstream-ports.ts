/**
 * The ports upstream of rekey: the Issuer (mint, find, retire credentials at the provider's admin
 * API or the Gateway) and the log of retirements it works through. Re-exported by ports.ts.
 */
import type { SecretValue } from './secret-value.js';

/** A credential's state at its issuer (the provider's admin API, the Gateway). */
export type UpstreamStatus = 'active' | 'inactive' | 'archived' | 'deleted' | 'expired';

/**
 * The Issuer port: mint and retire credentials upstream. Values never leave as anything but a
 * SecretValue; an issuer finds a key by the hint its API shows (a prefix and suffix), never by
 * sending the value. `can` says what the upstream API allows (Anthropic: no mint).
 */
export interface Issuer {
  readonly kind: string;
  readonly can: { mint: boolean; retire: boolean; unretire: boolean };
  /**
   * a new credential, named for the audit trail upstream (e.g. rekey-<rotation id>); `ttlSeconds`:
   * the provider ends it itself after that (a CI lease), where its API can (`expiresAt` says so)
   */
  mint?(name: string, signal: AbortSignal, opts?: { ttlSeconds?: number }): Promise<{ value: SecretValue; id: string; expiresAt?: string }>;
  /** the upstream credential holding this value, or null when there is none (deleted, or never issued here) */
  find(value: SecretValue, signal: AbortSignal): Promise<{ id: string; status: UpstreamStatus } | null>;
  /** make it stop working upstream (deactivate or delete); idempotent: an already retired key answers its status */
  retire(value: SecretValue, signal: AbortSignal): Promise<{ id: string; status: UpstreamStatus }>;
  /** undo a retirement (Anthropic: reactivate) */
  unretire?(value: SecretValue, signal: AbortSignal): Promise<{ id: string; status: UpstreamStatus }>;
}

/** An old credential to retire upstream once `dueAt` has passed (its value is kept in the snapshot store, encrypted, under `id`). */
export interface RetirementEntry {
  id: string;
  secret: string;
  /** the issuer's name in the policy */
  issuer: string;
  ref: string;
  fingerprint: string;
  rotationId: string;
  dueAt: string;
}

/** The retirement log: entries added at promote, each closed once retired (or given up on). */
export interface RetirementLog {
  add(e: RetirementEntry): Promise<void>;
  close(id: string, result: { status: 'retired' | 'not-found'; at: string; upstream?: string }): Promise<void>;
  /** entries not closed yet, oldest first */
  open(): Promise<RetirementEntry[]>;
}
