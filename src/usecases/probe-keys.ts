import { UnsafeError } from '../core/errors.js';
import type { ProbeOutcome } from '../core/ports.js';
import type { SecretValue } from '../core/secret-value.js';
import type { Plan } from '../plan/planner.js';
import { openclawOf } from '../core/target.js';
import type { RekeyDeps } from './context.js';
import type { ProbeRecord } from '../audit/audit-record.js';

export type { ProbeRecord };


const describe = (o: ProbeOutcome) =>
  o.result === 'accepted' ? `accepted (HTTP ${o.status} from ${o.url})` : o.result === 'refused' ? `refused: HTTP ${o.status} ${o.code} from ${o.url}` : o.result === 'unreachable' ? `not reachable: ${o.why} (${o.url})` : o.why;

/**
 * Before anything is written: every new provider key is tried against its provider, at the base
 * URL each consumer's OpenClaw uses. A refused key stops the rotation (exit 3, nothing changed);
 * an unreachable provider or one rekey cannot ask stops it under `probe: required` and is a
 * warning under `best-effort`. One call per (ref, provider, base URL).
 */
export async function probeBeforeDelivery(plan: Plan, values: Map<string, SecretValue>, deps: RekeyDeps): Promise<ProbeRecord[]> {
  const probe = deps.probe;
  if (!probe) return [];
  const out: ProbeRecord[] = [];
  const asked = new Map<string, ProbeOutcome>();
  for (const t of plan.targets) {
    const mode = t.probe ?? 'off';
    const value = values.get(t.ref);
    if (!t.provider || mode === 'off' || !value) continue;
    // targets sharing a ref and an OpenClaw config get the same answer: ask once
    const key = `${t.ref} ${JSON.stringify(openclawOf(t))}`;
    if (asked.has(key)) continue;
    const o = await probe(t, value, deps.signal);
    asked.set(key, o);
    out.push({ ref: t.ref, provider: t.provider, fingerprint: value.fingerprint, at: deps.clock.now().toISOString(), result: o.result, detail: describe(o) });
    deps.log.info({ ref: t.ref, provider: t.provider, fingerprint: value.fingerprint, result: o.result }, 'provider probe');
    if (o.result === 'accepted') continue;
    if (o.result === 'refused') {
      throw new UnsafeError('PROVIDER_REFUSED_KEY', `${t.provider} refuses the new key for ${t.ref} (${value.fingerprint}): ${describe(o)}; nothing was changed`, {
        details: { ref: t.ref, status: o.status, code: o.code, probes: out },
        hint: 'check the key (a typo, a key already revoked, another organisation), put the right one, rotate again',
      });
    }
    if (mode === 'required') {
      throw new UnsafeError(o.result === 'unreachable' ? 'PROVIDER_UNREACHABLE' : 'PROBE_UNSUPPORTED', `cannot ask ${t.provider} whether it accepts the new key for ${t.ref} (${value.fingerprint}): ${describe(o)}; nothing was changed`, {
        details: { ref: t.ref, probes: out },
        hint: 'retry when the provider answers; or set `probe: best-effort` on the secret to rotate without its answer',
      });
    }
    deps.log.warn({ ref: t.ref, provider: t.provider, result: o.result }, 'the provider was not asked about the new key (probe: best-effort)');
  }
  return out;
}
