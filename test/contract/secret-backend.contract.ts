/**
 * The SecretBackend contract: what every adapter (local, AWS, Vault) and its fake must do.
 * Call `secretBackendContract(name, make)` from a test file; `make` returns a fresh backend.
 */
import { describe, expect, test } from 'vitest';
import type { SecretBackend } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';

const v = (s: string) => SecretValue.of(s);
const sig = () => new AbortController().signal;

export function secretBackendContract(name: string, make: () => Promise<{ backend: SecretBackend; ref: (n: string) => string }>) {
  describe(`SecretBackend contract: ${name}`, () => {
    test('an unknown ref reads as null at every stage and has no versions', async () => {
      const { backend, ref } = await make();
      for (const stage of ['current', 'pending', 'previous'] as const) expect(await backend.read(ref('none'), stage, sig())).toBeNull();
      expect(await backend.versions(ref('none'), sig())).toEqual([]);
    });

    test('stage → pending; promote → current, old current → previous', async () => {
      const { backend, ref } = await make();
      const r = ref('a');
      await backend.stage(r, v('value-one-000000000000'), 'rot-1', sig());
      expect((await backend.read(r, 'pending', sig()))!.value.reveal()).toBe('value-one-000000000000');
      // a ref's very first version: pending only, or (AWS) also current at once
      const first = await backend.read(r, 'current', sig());
      if (backend.capabilities().firstVersionIsCurrent) expect(first!.value.reveal()).toBe('value-one-000000000000');
      else expect(first).toBeNull();
      await backend.promote(r, 'rot-1', sig());
      expect((await backend.read(r, 'current', sig()))!.value.reveal()).toBe('value-one-000000000000');
      expect(await backend.read(r, 'pending', sig())).toBeNull();
      await backend.stage(r, v('value-two-000000000000'), 'rot-2', sig());
      // staging does not change what consumers read
      expect((await backend.read(r, 'current', sig()))!.value.reveal()).toBe('value-one-000000000000');
      await backend.promote(r, 'rot-2', sig());
      expect((await backend.read(r, 'current', sig()))!.value.reveal()).toBe('value-two-000000000000');
      expect((await backend.read(r, 'previous', sig()))!.value.reveal()).toBe('value-one-000000000000');
      const stages = (await backend.versions(r, sig())).flatMap((x) => x.stages).sort();
      expect(stages).toEqual(['current', 'previous']);
    });

    test('every step is idempotent on the rotation id', async () => {
      const { backend, ref } = await make();
      const r = ref('b');
      const a = await backend.stage(r, v('value-idem-00000000000'), 'rot-1', sig());
      const b = await backend.stage(r, v('value-idem-00000000000'), 'rot-1', sig());
      expect(b.versionId).toBe(a.versionId);
      await backend.promote(r, 'rot-1', sig());
      await backend.promote(r, 'rot-1', sig());
      expect((await backend.read(r, 'current', sig()))!.value.reveal()).toBe('value-idem-00000000000');
      expect(await backend.read(r, 'previous', sig())).toBeNull();
      await backend.discard(r, 'rot-1', sig()); // nothing pending: no-op
      expect((await backend.read(r, 'current', sig()))!.value.reveal()).toBe('value-idem-00000000000');
      // a second rotation, each step twice
      await backend.stage(r, v('value-idem-11111111111'), 'rot-2', sig());
      await backend.stage(r, v('value-idem-11111111111'), 'rot-2', sig());
      await backend.promote(r, 'rot-2', sig());
      await backend.promote(r, 'rot-2', sig());
      expect((await backend.read(r, 'current', sig()))!.value.reveal()).toBe('value-idem-11111111111');
      expect((await backend.read(r, 'previous', sig()))!.value.reveal()).toBe('value-idem-00000000000');
      expect((await backend.versions(r, sig())).flatMap((x) => x.stages).sort()).toEqual(['current', 'previous']);
    });

    test('discard drops only the pending version', async () => {
      const { backend, ref } = await make();
      const r = ref('c');
      await backend.stage(r, v('value-cur-000000000000'), 'rot-1', sig());
      await backend.promote(r, 'rot-1', sig());
      await backend.stage(r, v('value-bad-000000000000'), 'rot-2', sig());
      await backend.discard(r, 'rot-2', sig());
      await backend.discard(r, 'rot-2', sig());
      expect(await backend.read(r, 'pending', sig())).toBeNull();
      expect((await backend.read(r, 'current', sig()))!.value.reveal()).toBe('value-cur-000000000000');
    });

    test('remove deletes every version and the pending value; a removed or unknown ref is a no-op; a new value can be written after', async () => {
      const { backend, ref } = await make();
      if (!backend.remove) return;
      const r = ref('removed');
      await backend.stage(r, v('value-one-000000000000'), 'rot-1', sig());
      await backend.promote(r, 'rot-1', sig());
      await backend.stage(r, v('value-two-000000000000'), 'rot-2', sig());
      await backend.promote(r, 'rot-2', sig());
      await backend.stage(r, v('value-three-0000000000'), 'rot-3', sig());
      await backend.remove(r, sig());
      for (const stage of ['current', 'pending', 'previous'] as const) expect(await backend.read(r, stage, sig())).toBeNull();
      expect(await backend.versions(r, sig())).toEqual([]);
      await backend.remove(r, sig());
      await backend.remove(ref('never-written'), sig());
      await backend.stage(r, v('value-four-00000000000'), 'rot-4', sig());
      await backend.promote(r, 'rot-4', sig());
      expect((await backend.read(r, 'current', sig()))!.value.reveal()).toBe('value-four-00000000000');
      expect(await backend.read(r, 'previous', sig())).toBeNull();
    });

    test('promote of a rotation that staged nothing fails', async () => {
      const { backend, ref } = await make();
      await expect(backend.promote(ref('d'), 'rot-x', sig())).rejects.toThrow();
    });

    test('versions carry metadata, never values', async () => {
      const { backend, ref } = await make();
      const r = ref('e');
      await backend.stage(r, v('value-meta-SECRET-0000'), 'rot-1', sig());
      const vs = await backend.versions(r, sig());
      expect(vs).toHaveLength(1);
      expect(vs[0]!.stages).toContain('pending');
      expect(JSON.stringify(vs)).not.toContain('SECRET');
    });

    test('standby pool: entries wait out of every stage, oldest first, idempotent on the id; read and remove by id', async () => {
      const { backend, ref } = await make();
      const pool = backend.standby!;
      expect(pool).toBeDefined();
      const r = ref('s');
      await backend.stage(r, v('value-live-000000000000'), 'rot-1', sig());
      await backend.promote(r, 'rot-1', sig());
      expect(await pool.list(r, sig())).toEqual([]);
      await pool.add(r, '20261130T100000Z-bbbb', v('value-stby-222222222222'), sig());
      await pool.add(r, '20261130T090000Z-aaaa', v('value-stby-111111111111'), sig());
      await pool.add(r, '20261130T090000Z-aaaa', v('value-stby-111111111111'), sig()); // a retry: no-op
      await expect(pool.add(r, '20261130T090000Z-aaaa', v('value-stby-999999999999'), sig())).rejects.toThrow(/different value/);
      expect(await pool.list(r, sig())).toEqual([
        { id: '20261130T090000Z-aaaa', fingerprint: v('value-stby-111111111111').fingerprint },
        { id: '20261130T100000Z-bbbb', fingerprint: v('value-stby-222222222222').fingerprint },
      ]);
      // consumers and rotations see none of it
      expect((await backend.read(r, 'current', sig()))!.value.reveal()).toBe('value-live-000000000000');
      expect(await backend.read(r, 'pending', sig())).toBeNull();
      expect((await backend.versions(r, sig())).flatMap((x) => x.stages).sort()).toEqual(['current']);
      expect(JSON.stringify(await pool.list(r, sig()))).not.toContain('stby');
      expect((await pool.read(r, '20261130T100000Z-bbbb', sig()))!.reveal()).toBe('value-stby-222222222222');
      expect(await pool.read(r, '20261130T110000Z-none', sig())).toBeNull();
      await pool.remove(r, '20261130T090000Z-aaaa', sig());
      await pool.remove(r, '20261130T090000Z-aaaa', sig()); // no-op
      expect((await pool.list(r, sig())).map((e) => e.id)).toEqual(['20261130T100000Z-bbbb']);
      // a rotation staging and promoting beside the pool leaves it alone
      await backend.stage(r, v('value-next-000000000000'), 'rot-2', sig());
      await backend.promote(r, 'rot-2', sig());
      expect((await pool.list(r, sig())).map((e) => e.id)).toEqual(['20261130T100000Z-bbbb']);
    });
  });
}
