/**
 * The lease book: one record per live CI lease (runner, secret, fingerprint, times, where it came
 * from), kept in the secret's backend at `<prefix>/_leases` as a record book
 * (src/usecases/record-book.ts: the backend's standby-pool mechanism), so every host sees the same
 * leases and no coordinator but the backend is needed. Records hold names, times and fingerprints.
 */
import { UsageError } from '../../core/errors.js';
import type { Policy } from '../../policy/schema.js';
import { durationMs } from '../../policy/schedule.js';
import { recordBook, type BookDeps } from '../record-book.js';

export interface LeaseRecord {
  id: string;
  runner: string;
  /** the CI job it was issued for, when given */
  job: string | null;
  secret: string;
  env: string | null;
  backend: string;
  /** where the runner reads it: `<prefix>/<runner>/<secret>` */
  ref: string;
  fingerprint: string;
  issuedAt: string;
  /** rekey reaps it after this */
  expiresAt: string;
  /** minted for this lease, drawn from the secret's standby pool, or a Gateway device the runner paired */
  source: 'minted' | 'standby' | 'device';
  /** a device lease: the roles its pairing holds (each revoked at the end) */
  roles?: string[];
  issuer: string | null;
  upstreamId: string | null;
  /** the provider ends it itself at this time (OpenAI `expires_in_seconds`), when the issuer can */
  providerExpiresAt: string | null;
}

export const RUNNER_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** `--ttl`: 90s, 30m, 1h, 2d; at most ci.maxTtl */
export function leaseTtlMs(policy: Policy, ttl: string): number {
  const m = /^([1-9][0-9]{0,6})(s|m|h|d)$/.exec(ttl);
  const ms = m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's'] : NaN;
  const max = policy.ci?.maxTtl ?? '24h';
  if (!(ms > 0) || ms > durationMs(max)) throw new UsageError('BAD_TTL', `--ttl ${ttl}: a lease lasts a duration such as 90s, 30m or 1h, at most ci.maxTtl (${max})`);
  return ms;
}

export const ciPrefix = (policy: Policy) => policy.ci?.prefix ?? 'rekey/ci';
export const leaseRef = (policy: Policy, runner: string, secret: string) => `${ciPrefix(policy)}/${runner}/${secret}`;
const bookRef = (policy: Policy) => `${ciPrefix(policy)}/_leases`;

/** the backends that may hold leases: those of every secret not kept for humans */
export function leaseBackends(policy: Policy): string[] {
  return [...new Set(Object.values(policy.secrets).filter((s) => s.audience !== 'human').map((s) => s.backend))].sort();
}

export function assertRunnerId(runner: string | undefined): asserts runner is string {
  if (!runner || !RUNNER_ID.test(runner)) {
    throw new UsageError('BAD_RUNNER_ID', `--runner ${runner === undefined ? '(missing)' : JSON.stringify(runner)}: a runner id is 1–63 of a-z 0-9 . _ -, starting with a letter or digit`, { hint: 'rekey ci issue --runner gha-deploy --secret anthropic --ttl 1h' });
  }
}

/** the book of one backend */
export function leaseBook(policy: Policy, backendName: string, deps: BookDeps) {
  const book = recordBook<LeaseRecord>(backendName, bookRef(policy), 'lease book', deps);
  return {
    add: (r: LeaseRecord) => book.add(r.id, r),
    /** every live lease, oldest first */
    list: async (): Promise<LeaseRecord[]> => (await book.list()).map((e) => e.record),
    remove: (id: string) => book.remove(id),
  };
}

/** every live lease of the policy's backends (optionally one runner's), oldest first */
export async function allLeases(policy: Policy, deps: BookDeps, runner?: string): Promise<LeaseRecord[]> {
  const out: LeaseRecord[] = [];
  for (const b of leaseBackends(policy)) out.push(...(await leaseBook(policy, b, deps).list()));
  return out.filter((r) => runner === undefined || r.runner === runner).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
