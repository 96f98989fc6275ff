/**
 * The snapshot of a sink that holds one value or nothing (a keychain item, a stored profile, a
 * config token): `{exists, value}` as JSON inside the snapshot's SecretValue, which the snapshot
 * store keeps encrypted at rest. One encoding for every such sink.
 */
import type { Snapshot } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';

export function valueSnapshot(t: Target, held: SecretValue | null): Snapshot {
  const body = held === null ? { exists: false } : { exists: true, value: held.reveal() };
  return { sinkKind: t.sink.kind, targetId: t.id, data: SecretValue.of(JSON.stringify(body)) };
}

/** what the sink held when the snapshot was taken: its value, or null for nothing */
export function snapshotValue(snap: Snapshot): SecretValue | null {
  const body = JSON.parse(snap.data.reveal()) as { exists: boolean; value?: string };
  return body.exists ? SecretValue.of(body.value ?? '') : null;
}
