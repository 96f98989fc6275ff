import type { Sink, Verifier } from '../../src/core/ports.js';

/** No consumer check: only a read-back of what the sink now holds (the policy says why). */
export function createNoneVerifier(sinkFor: (kind: string) => Sink): Verifier {
  return {
    kind: 'none',
    async verify(t, expected, signal) {
      const held = await sinkFor(t.sink.kind).read(t, signal);
      if (expected === null) return { ok: true, detail: 'nothing expected' };
      if (held && held.equals(expected)) return { ok: true, detail: `read back ${expected.fingerprint} (not verified at the consumer)` };
      return { ok: false, layer: t.layer, code: 'mismatch', reason: `read-back of ${t.id} does not hold ${expected.fingerprint}` };
    },
  } satisfies Verifier;
}
