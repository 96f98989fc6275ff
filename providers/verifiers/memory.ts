import type { Verifier, VerifyResult } from '../../src/core/ports.js';
import type { SecretValue } from '../../src/core/secret-value.js';

/** The verifier fake: accepts the values in `accept` (by fingerprint); `calls` records each check. */
export function createMemoryVerifier(): Verifier & { accept: Set<string>; calls: { target: string; fingerprint: string | null }[]; acceptValue(v: SecretValue): void } {
  const accept = new Set<string>();
  const calls: { target: string; fingerprint: string | null }[] = [];
  return {
    kind: 'memory',
    accept,
    calls,
    acceptValue: (v: SecretValue) => accept.add(v.fingerprint),
    async verify(t, expected): Promise<VerifyResult> {
      calls.push({ target: t.id, fingerprint: expected?.fingerprint ?? null });
      if (expected && accept.has(expected.fingerprint)) return { ok: true, detail: 'accepted' };
      return { ok: false, layer: t.layer, code: 'mismatch', reason: `consumer refused ${expected?.fingerprint ?? 'nothing'}` };
    },
  };
}
