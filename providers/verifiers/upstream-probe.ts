import type { KeyProbe, VerifyFailure } from '../../src/core/ports.js';
import type { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';

/**
 * After a delivery: does the provider accept the key the consumer holds? Under the secret's
 * `probe:` policy. Returns a failure (code, reason) or what was proven, for the progress line.
 */
export async function probeHeld(
  t: Target,
  held: SecretValue,
  probe: KeyProbe | undefined,
  signal: AbortSignal,
): Promise<{ fail: { code: VerifyFailure; reason: string; diagnosis?: string } } | { proven: string }> {
  const mode = t.probe ?? 'off';
  if (!probe || !t.provider || mode === 'off') return { proven: 'resolved by OpenClaw only (probe: off)' };
  const o = await probe(t, held, signal);
  if (o.result === 'accepted') return { proven: 'accepted by the provider' };
  if (o.result === 'refused') {
    return { fail: { code: 'rejected', reason: `${t.provider} refuses the key the consumer holds (${held.fingerprint}): HTTP ${o.status} ${o.code} from ${o.url}`, diagnosis: 'the key was revoked or is wrong; rekey rolls back to the old one' } };
  }
  const why = o.result === 'unreachable' ? `${o.why} (${o.url})` : o.why;
  if (mode === 'required') return { fail: { code: 'error', reason: `cannot ask ${t.provider} whether it accepts the key the consumer holds: ${why}`, diagnosis: "set `probe: best-effort` to promote on OpenClaw's view alone" } };
  return { proven: `resolved by OpenClaw only (the provider could not be asked: ${why})` };
}
