/**
 * Rotations with an issuer, on fakes: a key minted when nothing is pending (staged at once, so a
 * kill cannot lose it), the old key retired upstream after a promote (at once or after a grace
 * period, verified, audited), never after a rollback; an issuer down at mint → nothing delivered,
 * exit 4; down at retire → still promoted, the retirement left open and finished later; a key put
 * by hand that is inactive upstream is refused before delivery.
 */
import { describe, expect, test } from 'vitest';
import { createGatewayTokenIssuer } from '../../providers/issuers/gateway-token.js';
import { createMemoryIssuer } from '../../providers/issuers/memory.js';
import { parsePolicy } from '../../providers/registry.js';
import { isRekeyError } from '../../src/core/errors.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { put } from '../../src/usecases/put.js';
import { retireDue } from '../../src/usecases/retire.js';
import { rotate } from '../../src/usecases/rotate.js';
import { NEW, OLD, policyText, REF, T } from '../harness/fake-world.js';
import { fakeDeps } from '../harness/memory-stores.js';

const withIssuer = (after: string) =>
  parsePolicy(
    policyText.replace('    backend: local\n', `    backend: local\n    issuer: upstream\n    retire: { after: ${after} }\n`) +
      'issuers:\n  upstream: { kind: anthropic-admin, adminKey: { backend: local, ref: rekey/admin } }\n',
  );

async function world(after = '0', can = { mint: true, retire: true, unretire: true }) {
  const w = fakeDeps();
  const issuer = createMemoryIssuer(can);
  w.deps.issuer = () => issuer;
  await w.backend.stage(REF, OLD, 'seed', w.deps.signal);
  await w.backend.promote(REF, 'seed', w.deps.signal);
  issuer.add(OLD);
  for (const id of T) w.sink.values.set(id, OLD);
  w.verifier.acceptValue(OLD);
  return { w, issuer, policy: withIssuer(after) };
}

describe('rotation with an issuer', () => {
  test('nothing pending → minted upstream, staged, delivered, promoted; the old key retired at once (after: 0), verified and audited', async () => {
    const { w, issuer, policy } = await world('0');
    w.verifier.acceptValue(SecretValue.of('sk-minted-0002-' + 'x'.repeat(24)));
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome, r.message).toBe('promoted');
    expect(r.minted).toMatchObject([{ issuer: 'upstream', ref: REF, id: 'key_2' }]);
    const cur = (await w.backend.read(REF, 'current', w.deps.signal))!.value;
    expect(cur.reveal()).toMatch(/^sk-minted-0002-/);
    expect(T.map((id) => w.sink.values.get(id)?.equals(cur))).toEqual([true, true]);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('inactive');
    expect(r.retirements).toMatchObject([{ ref: REF, fingerprint: OLD.fingerprint, outcome: 'retired' }]);
    expect(await w.retirements.open()).toEqual([]);
    const records = w.audit.records;
    expect(records.at(-2)).toMatchObject({ command: 'retire', outcome: 'retired', oldFingerprints: { [REF]: OLD.fingerprint }, retirement: { issuer: 'upstream' } });
    expect(records.at(-1)).toMatchObject({ command: 'rotate', outcome: 'promoted', minted: [{ issuer: 'upstream', id: 'key_2' }] });
    expect(JSON.stringify(records)).not.toContain(cur.reveal());
    expect(w.snapshots.data.size).toBe(0); // the old value kept for retirement is gone once retired
  });

  test('a dry run mints nothing and says it would', async () => {
    const { w, issuer, policy } = await world('0');
    const r = await rotate(policy, 'anthropic', {}, { dryRun: true }, w.deps);
    expect(r.message).toMatch(/a new key would be minted at upstream/);
    expect(issuer.keys.size).toBe(1);
  });

  test('the issuer down at mint: nothing staged or delivered, exit 4', async () => {
    const { w, issuer, policy } = await world('0');
    issuer.down.add('mint');
    const e = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps).catch((x: unknown) => x);
    expect(isRekeyError(e) && e.exitCode).toBe(4);
    expect(await w.backend.read(REF, 'pending', w.deps.signal)).toBeNull();
    expect(T.map((id) => w.sink.values.get(id)?.equals(OLD))).toEqual([true, true]);
  });

  test('the issuer down at retire: promoted anyway, the retirement left open; retire --due finishes it later', async () => {
    const { w, issuer, policy } = await world('0', { mint: false, retire: true, unretire: true });
    issuer.add(NEW);
    await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
    w.verifier.acceptValue(NEW);
    issuer.down.add('retire');
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome).toBe('promoted');
    expect(r.exitCode).toBe(0);
    expect(r.retirements).toMatchObject([{ outcome: 'failed', detail: expect.stringMatching(/unreachable/) }]);
    expect(await w.retirements.open()).toHaveLength(1);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('active');
    issuer.down.clear();
    expect(await retireDue(policy, w.deps)).toMatchObject([{ outcome: 'retired' }]);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('inactive');
    expect(await w.retirements.open()).toEqual([]);
  });

  test('a grace period: not retired at promote; retire --due before the time does nothing, after it retires', async () => {
    const { w, issuer, policy } = await world('1h', { mint: false, retire: true, unretire: true });
    issuer.add(NEW);
    await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
    w.verifier.acceptValue(NEW);
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.retirements).toMatchObject([{ outcome: 'not-due' }]);
    w.clock.advance(30 * 60_000);
    expect(await retireDue(policy, w.deps)).toMatchObject([{ outcome: 'not-due' }]);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('active');
    w.clock.advance(31 * 60_000);
    expect(await retireDue(policy, w.deps)).toMatchObject([{ outcome: 'retired' }]);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('inactive');
  });

  test('a rollback never retires anything', async () => {
    const { w, issuer, policy } = await world('0', { mint: false, retire: true, unretire: true });
    issuer.add(NEW);
    await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
    // NEW is not accepted by the consumer: verification fails, rolled back
    const r = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps);
    expect(r.outcome).toBe('rolled-back');
    expect(r.retirements).toBeUndefined();
    expect(await w.retirements.open()).toEqual([]);
    expect(issuer.keys.get(OLD.reveal())!.status).toBe('active');
  });

  test('a key put by hand that is inactive upstream is refused before anything is written (exit 3)', async () => {
    const { w, issuer, policy } = await world('0', { mint: false, retire: true, unretire: true });
    issuer.add(NEW, 'inactive');
    await put(policy, 'anthropic', { env: 'prod' }, NEW, w.deps);
    w.verifier.acceptValue(NEW);
    const e = await rotate(policy, 'anthropic', {}, { dryRun: false }, w.deps).catch((x: unknown) => x);
    expect(isRekeyError(e) && e.code).toBe('KEY_NOT_ACTIVE');
    expect(isRekeyError(e) && e.exitCode).toBe(3);
    expect(T.map((id) => w.sink.values.get(id)?.equals(OLD))).toEqual([true, true]);
  });
});

describe('the Gateway token as an issuer', () => {
  const tokenPolicy = (issuer: string) =>
    parsePolicy(`
version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local } }
services: { gateway: { kind: systemd-user, unit: openclaw-gateway.service } }
issuers: { gw: ${issuer} }
secrets:
  gateway:
    layer: gateway-token
    backend: local
    ref: openclaw/{env}/gateway-token
    issuer: gw
    retire: { after: 0 }
    deliveries:
      - agent: main
        env: prod
        sink: { kind: systemd-env-file, path: "/srv/gw.env" }
        service: gateway
        verify: { kind: openclaw-gateway-probe, role: server, port: 18789 }
`);

  test('minted by its issuer at the configured size, delivered, promoted; the old token recorded retired (the Gateway refuses it)', async () => {
    const policy = tokenPolicy('{ kind: gateway-token, bytes: 48 }');
    const w = fakeDeps();
    w.deps.issuer = () => createGatewayTokenIssuer(policy.issuers.gw as { bytes: number });
    const OLD_TOKEN = SecretValue.of('old-gateway-token-' + 'o'.repeat(40));
    await w.backend.stage('openclaw/prod/gateway-token', OLD_TOKEN, 'seed', w.deps.signal);
    await w.backend.promote('openclaw/prod/gateway-token', 'seed', w.deps.signal);
    w.verifier.verify = async () => ({ ok: true, detail: 'accepted' });
    const r = await rotate(policy, 'gateway', {}, { dryRun: false }, w.deps);
    expect(r.outcome, r.message).toBe('promoted');
    const cur = (await w.backend.read('openclaw/prod/gateway-token', 'current', w.deps.signal))!.value;
    expect(cur.reveal()).toMatch(/^[A-Za-z0-9_-]{64}$/); // 48 bytes, base64url
    expect(r.minted).toMatchObject([{ issuer: 'gw', id: cur.fingerprint }]);
    expect(r.retirements).toMatchObject([{ fingerprint: OLD_TOKEN.fingerprint, outcome: 'retired' }]);
    expect(w.audit.records.find((x) => x.command === 'retire')).toMatchObject({ layer: 'gateway-token', outcome: 'retired' });
  });

  test('a gateway-token issuer on a provider key, or a token under 256 bits, is refused by the policy', () => {
    const problems = (f: () => unknown) => {
      try {
        f();
        return 'accepted';
      } catch (e) {
        return JSON.stringify((e as { details?: unknown }).details);
      }
    };
    expect(problems(() => tokenPolicy('{ kind: gateway-token, bytes: 16 }'))).toMatch(/bytes/);
    expect(problems(() => parsePolicy(withIssuerText().replace('kind: anthropic-admin, adminKey: { backend: local, ref: rekey/admin }', 'kind: gateway-token')))).toMatch(/gateway-token issues gateway-token credentials, not a provider-key/);
  });
});

function withIssuerText() {
  return policyText.replace('    backend: local\n', '    backend: local\n    issuer: upstream\n') + 'issuers:\n  upstream: { kind: anthropic-admin, adminKey: { backend: local, ref: rekey/admin } }\n';
}
