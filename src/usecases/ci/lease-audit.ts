/**
 * What a CI lease's issuance and end record: the provider's answer about its key (asked at a
 * consumer's base URL, as a rotation's probe) and the audit record (fingerprints only).
 */
import type { AuditRecord } from '../../audit/audit-record.js';
import type { ProbeOutcome } from '../../core/ports.js';
import type { SecretValue } from '../../core/secret-value.js';
import type { Target } from '../../core/target.js';
import type { SecretPolicy } from '../../policy/schema.js';
import type { RekeyDeps } from '../context.js';
import type { LeaseRecord } from './lease-book.js';

/** the provider's answer (`skipped`: not asked) and the sentence the output and the audit log carry */
export interface LeaseProbe {
  result: ProbeOutcome['result'] | 'skipped';
  detail: string;
}

export async function probeLease(sp: SecretPolicy, t: Target | undefined, value: SecretValue, deps: RekeyDeps): Promise<LeaseProbe> {
  if (sp.layer !== 'provider-key' || sp.probe === 'off') return { result: 'skipped', detail: 'not asked (probe: off)' };
  if (!deps.probe || !t) return { result: 'skipped', detail: 'not asked (no consumer of this secret to take the provider from)' };
  const o = await deps.probe(t, value, deps.signal);
  if (o.result === 'accepted') return { result: o.result, detail: `accepted (HTTP ${o.status} from ${o.url})` };
  if (o.result === 'refused') return { result: o.result, detail: `refused (HTTP ${o.status} ${o.code} from ${o.url})` };
  if (o.result === 'unreachable') return { result: o.result, detail: `not reachable (${o.why}, ${o.url})` };
  return { result: o.result, detail: `not asked (${o.why})` };
}

export function leaseAudit(command: 'ci-issue' | 'ci-end', outcome: AuditRecord['outcome'], l: LeaseRecord, layer: string, deps: Pick<RekeyDeps, 'clock' | 'actor'>, started: number, extra: { probe: string; ended?: NonNullable<AuditRecord['lease']>['ended']; failure?: AuditRecord['failure'] }): AuditRecord {
  return {
    v: 1,
    at: deps.clock.now().toISOString(),
    rotationId: l.id,
    command,
    actor: deps.actor,
    secret: l.secret,
    layer,
    outcome,
    exitCode: extra.failure ? 6 : 0,
    oldFingerprints: command === 'ci-end' ? { [l.ref]: l.fingerprint } : {},
    newFingerprints: command === 'ci-issue' ? { [l.ref]: l.fingerprint } : {},
    blastRadius: { agents: [], environments: l.env ? [l.env] : [], hosts: [], units: [], files: [], keychainItems: [], authProfiles: [], backendRefs: [l.ref] },
    rollbackPoint: {},
    targets: [],
    lease: { id: l.id, runner: l.runner, job: l.job, ref: l.ref, fingerprint: l.fingerprint, issuedAt: l.issuedAt, expiresAt: l.expiresAt, source: l.source, issuer: l.issuer, upstreamId: l.upstreamId, probe: extra.probe, ...(extra.ended ? { ended: extra.ended } : {}) },
    ...(extra.failure ? { failure: extra.failure } : {}),
    durationMs: deps.clock.now().getTime() - started,
  };
}
