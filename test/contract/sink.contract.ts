/**
 * The Sink contract: check, snapshot, write (reports changed), restore (exact), read.
 * `make` returns a sink and a target for a fresh, empty place.
 */
import { describe, expect, test } from 'vitest';
import type { Sink } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { Target } from '../../src/core/target.js';

const v = (s: string) => SecretValue.of(s);
const sig = () => new AbortController().signal;

export function sinkContract(name: string, make: () => Promise<{ sink: Sink; target: Target }>) {
  describe(`Sink contract: ${name}`, () => {
    test('write then read returns the value; a second identical write changes nothing', async () => {
      const { sink, target } = await make();
      await sink.check(target, sig());
      expect((await sink.write(target, v('sk-contract-one-000000'), sig())).changed).toBe(true);
      expect((await sink.read(target, sig()))!.reveal()).toBe('sk-contract-one-000000');
      expect((await sink.write(target, v('sk-contract-one-000000'), sig())).changed).toBe(false);
    });

    test('restore puts back exactly what the snapshot saw, and is idempotent', async () => {
      const { sink, target } = await make();
      await sink.write(target, v('sk-contract-old-000000'), sig());
      const snap = await sink.snapshot(target, sig());
      await sink.write(target, v('sk-contract-new-000000'), sig());
      expect((await sink.restore(target, snap, sig())).changed).toBe(true);
      expect((await sink.read(target, sig()))!.reveal()).toBe('sk-contract-old-000000');
      expect((await sink.restore(target, snap, sig())).changed).toBe(false);
    });

    test('a snapshot of nothing restores to nothing', async () => {
      const { sink, target } = await make();
      const snap = await sink.snapshot(target, sig());
      await sink.write(target, v('sk-contract-new-000000'), sig());
      await sink.restore(target, snap, sig());
      expect(await sink.read(target, sig())).toBeNull();
    });

    test('snapshots never render their contents', async () => {
      const { sink, target } = await make();
      await sink.write(target, v('sk-contract-CANARY-0000'), sig());
      const snap = await sink.snapshot(target, sig());
      expect(JSON.stringify(snap)).not.toContain('CANARY');
    });
  });
}
