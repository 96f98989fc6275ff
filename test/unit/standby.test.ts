/**
 * The standby pool on fakes: `put --standby` adds a key out of every stage; a rotation with
 * nothing pending and no minting issuer draws the oldest, delivers it like a put value, and the
 * pool loses it only once promoted (a rollback keeps it); a drawn key the provider refuses or the
 * issuer reports inactive is dropped (a dry run drops nothing); an entry already delivered (a kill
 * before the clean-up) is skipped; `status` and the due states report the depth against minStandby.
 */
import { describe, expect, test } from 'vitest';
import { createMemoryIssuer } from '../../providers/issuers/memory.js';
import { parsePolicy } from '../../providers/registry.js';
import { isRekeyError } from '../../src/core/errors.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { dueStates } from '../../src/usecases/due.js';
import { renderMetrics } from '../../src/usecases/metrics.js';
import { put } from '../../src/usecases/put.js';
import { rotate } from '../../src/usecases/rotate.js';
import { status } from '../../src/usecases/status.js';
import { OLD, policyText, REF, T } from '../harness/fake-world.js';
import { fakeDeps } from '../harness/memory-stores.js';

const S1 = SecretValue.of('sk-ant-standby-one-1111111111111111111');
const S2 = SecretValue.of('sk-ant-standby-two-2222222222222222222');
const policy = parsePolicy(policyText.replace('    backend: local\n', '    backend: local\n    minStandby: 2\n'));

async function world() {
  const w = fakeDeps();
  await w.backend.stage(REF, OLD, 'seed', w.deps.signal);
  await w.backend.promote(REF, 'seed', w.deps.signal);
  for (const id of T) w.sink.values.set(id, OLD);
  w.verifier.acceptValue(OLD);
  return w;
}
const depth = async (w: Awaited<ReturnType<typeof world>>) => (await w.backend.standby!.list(REF, w.deps.signal)).length;
const fails = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

describe('the standby pool', () => {
  test('put --standby adds out of every stage (audited, fingerprints only); duplicates and Gateway tokens are refused', async () => {
    const w = await world();
    const r = await put(policy, 'anthropic', { env: 'prod' }, S1, w.deps, { standby: true });
    expect(r.standby?.depth).toEqual({ [REF]: 1 });
    expect(await w.backend.read(REF, 'pending', w.deps.signal)).toBeNull();
    expect((await w.backend.read(REF, 'current', w.deps.signal))!.value.equals(OLD)).toBe(true);
    expect(w.audit.records.at(-1)).toMatchObject({ command: 'put', outcome: 'stored', standby: [{ ref: REF, id: r.standby!.id, fingerprint: S1.fingerprint, event: 'added' }] });
    expect(JSON.stringify(w.audit.records)).not.toContain(S1.reveal());
    for (const dup of [S1, OLD]) {
      const e = await fails(put(policy, 'anthropic', { env: 'prod' }, dup, w.deps, { standby: true }));
      expect(isRekeyError(e) && e.code).toBe('STANDBY_DUPLICATE');
    }
    expect(await depth(w)).toBe(1);
  });

  test('a rotation with nothing pending draws the oldest; promoted → it leaves the pool; status counts down against minStandby', async () => {
    const w = await world();
    await put(policy, 'anthropic', { env: 'prod' }, S1, w.deps, { standby: true });
    w.clock.advance(1000);
    await put(policy, 'anthropic', { env: 'prod' }, S2, w.deps, { standby: true });
    w.verifier.acceptValue(S1);
    const before = (await status(policy, 'anthropic', w.deps))[0]!.refs[0]!.standby!;
    expect(before).toMatchObject({ min: 2, low: false });
    expect(before.entries.map((e) => e.fingerprint)).toEqual([S1.fingerprint, S2.fingerprint]);
    const dry = await rotate(policy, 'anthropic', {}, { dryRun: true }, w.deps);
    expect(dry.message).toMatch(/drawn from the standby pool: .* 1 left/);
    expect(await depth(w)).toBe(2);
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome, r.message).toBe('promoted');
    expect(r.standby).toMatchObject([{ ref: REF, fingerprint: S1.fingerprint, left: 1 }]);
    expect((await w.backend.read(REF, 'current', w.deps.signal))!.value.equals(S1)).toBe(true);
    expect(T.map((id) => w.sink.values.get(id)?.equals(S1))).toEqual([true, true]);
    expect((await w.backend.standby!.list(REF, w.deps.signal)).map((e) => e.fingerprint)).toEqual([S2.fingerprint]);
    expect(w.audit.records.at(-1)).toMatchObject({ command: 'rotate', standby: [{ ref: REF, fingerprint: S1.fingerprint, event: 'drawn' }] });
    const after = (await status(policy, 'anthropic', w.deps))[0]!.refs[0]!.standby!;
    expect(after).toMatchObject({ min: 2, low: true });
    const states = await dueStates(policy, w.deps);
    expect(states[0]!.standby).toEqual({ depth: 1, min: 2 });
    expect(renderMetrics({ now: w.clock.now(), states, records: [], run: { command: 'status --check', exitCode: 2 } })).toContain('rekey_standby_depth{secret="anthropic",env="prod",min="2"} 1\n');
  });

  test('a rollback keeps the drawn key in the pool', async () => {
    const w = await world();
    await put(policy, 'anthropic', { env: 'prod' }, S1, w.deps, { standby: true });
    // the consumer never verifies S1: rolled back
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome).toBe('rolled-back');
    expect(await depth(w)).toBe(1);
    expect(T.map((id) => w.sink.values.get(id)?.equals(OLD))).toEqual([true, true]);
  });

  test('a drawn key the provider refuses is dropped from the pool (not in a dry run); the next run draws the next', async () => {
    const w = await world();
    await put(policy, 'anthropic', { env: 'prod' }, S1, w.deps, { standby: true });
    w.clock.advance(1000);
    await put(policy, 'anthropic', { env: 'prod' }, S2, w.deps, { standby: true });
    w.deps.probe = async (_t, v) => (v.equals(S1) ? { result: 'refused', status: 401, code: 'authentication_error', url: 'http://x/v1/models' } : { result: 'accepted', status: 200, url: 'http://x/v1/models' });
    let e = await fails(rotate(policy, 'anthropic', {}, { dryRun: true }, w.deps));
    expect(isRekeyError(e) && e.message).toMatch(/a real run drops it from the pool/);
    expect(await depth(w)).toBe(2);
    e = await fails(rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps));
    expect(isRekeyError(e) && e.code).toBe('PROVIDER_REFUSED_KEY');
    expect((e as Error).message).toMatch(/was dropped from the pool \(1 left: run again/);
    expect((await w.backend.standby!.list(REF, w.deps.signal)).map((x) => x.fingerprint)).toEqual([S2.fingerprint]);
    w.verifier.acceptValue(S2);
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome, r.message).toBe('promoted');
    expect((await w.backend.read(REF, 'current', w.deps.signal))!.value.equals(S2)).toBe(true);
    expect(await depth(w)).toBe(0);
  });

  test('a drawn key the issuer reports inactive is dropped; an entry already current is skipped and removed; an empty pool needs a new key', async () => {
    const w = await world();
    const issuer = createMemoryIssuer({ mint: false, retire: true, unretire: true });
    w.deps.issuer = () => issuer;
    const withIssuer = parsePolicy(
      policyText.replace('    backend: local\n', '    backend: local\n    issuer: upstream\n') + 'issuers:\n  upstream: { kind: anthropic-admin, adminKey: { backend: local, ref: rekey/admin } }\n',
    );
    issuer.add(OLD);
    issuer.add(S1);
    issuer.keys.get(S1.reveal())!.status = 'inactive';
    await put(withIssuer, 'anthropic', { env: 'prod' }, S1, w.deps, { standby: true });
    const e = await fails(rotate(withIssuer, 'anthropic', {}, { dryRun: false }, w.deps));
    expect(isRekeyError(e) && e.code).toBe('KEY_NOT_ACTIVE');
    expect((e as Error).message).toMatch(/dropped from the pool \(0 left\)/);
    expect(await depth(w)).toBe(0);
    // a kill between promote and the pool's clean-up leaves the delivered key in the pool
    await w.backend.standby!.add(REF, '20261130T000000Z-aaaaaa', OLD, w.deps.signal);
    const none = await fails(rotate(withIssuer, 'anthropic', {}, { dryRun: false }, w.deps));
    expect(isRekeyError(none) && none.code).toBe('NO_PENDING_VALUE');
    expect((none as Error).message).toMatch(/no key in the standby pool/);
    expect(await depth(w)).toBe(0);
  });
});
