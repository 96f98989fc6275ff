/**
 * The old Anthropic key retired upstream after a rotation, against the real Gateway under the real
 * user manager: the Admin API stand-in (documented subset, test/harness/fake-admin-apis.ts) shares
 * its keys with the model API stand-in, so a key set inactive there is refused by the model API.
 * The admin key reaches rekey only through `rekey store` (stdin) and its backend.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretValue } from '../../src/core/secret-value.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeAnthropicAdmin, type FakeAnthropicAdmin } from '../harness/fake-admin-apis.js';
import { startGatewayFixture, type GatewayFixture } from '../harness/gateway-fixture.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const ADMIN = 'sk-ant-admin01-' + 'k'.repeat(60);
const READONLY = 'sk-ant-admin01-' + 'q'.repeat(60);
const ONE = 'sk-ant-api03-retire-one-' + '1'.repeat(60) + 'AA';
const TWO = 'sk-ant-api03-retire-two-' + '2'.repeat(60) + 'AA';
const THREE = 'sk-ant-api03-retire-three-' + '3'.repeat(58) + 'AA';
const FOUR = 'sk-ant-api03-standby-four-' + '4'.repeat(58) + 'AA';
const FIVE = 'sk-ant-api03-standby-five-' + '5'.repeat(58) + 'AA';
const SIX = 'sk-ant-api03-leaked-six-' + '6'.repeat(60) + 'AA';
const SEVEN = 'sk-ant-api03-reissue-seven-' + '7'.repeat(57) + 'AA';

describe('retire the old key upstream (Anthropic Admin API) after a promote, real Gateway', () => {
  let f: GatewayFixture;
  let admin: FakeAnthropicAdmin;
  const ids: Record<string, string> = {};
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);
  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [] });
    admin = await startFakeAnthropicAdmin({ adminKeys: { [ADMIN]: 'admin', [READONLY]: 'readOnly' }, onChange: (v, on) => (on ? f.fake.allow(v) : f.fake.deny(v)) });
    for (const k of [ONE, TWO, THREE, FOUR, FIVE, SIX, SEVEN]) ids[k] = admin.addKey(k); // created in the Console: active, accepted by the model API
    writeFileSync(f.envFile, '', { mode: 0o600 });
    f.writePolicy();
    const text = readFileSync(f.policyFile, 'utf8').replace('    maxAge: 90d\n', '    maxAge: 90d\n    issuer: anthropic\n    retire: { after: 0 }\n');
    writeFileSync(f.policyFile, `${text}issuers:\n  anthropic: { kind: anthropic-admin, adminKey: { backend: local, ref: rekey/anthropic-admin }, baseUrl: "${admin.url}" }\n`);
    await f.installGateway();
    await f.waitGatewayReady();
  });
  afterAll(async () => {
    await admin?.close();
    await f?.close();
  });

  test('promote → the old key is set inactive upstream, verified (the provider refuses it), audited; the Gateway sends the new one', async () => {
    expect((await cli(['init'])).code).toBe(0);
    let r = await cli(['store', 'local', 'rekey/anthropic-admin', '--stdin'], ADMIN);
    expect(r.code, r.stderr).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    r = await cli(['rotate', 'anthropic']); // first delivery: nothing old to retire
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], TWO)).code).toBe(0);
    r = await cli(['rotate', 'anthropic', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.retirements).toMatchObject([{ outcome: 'retired', probe: 'refused' }]);
    expect(admin.status(ids[ONE]!)).toBe('inactive');
    expect(admin.status(ids[TWO]!)).toBe('active');
    await f.waitGatewayReady();
    const seen = f.fake.seenKeys.length;
    const turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.slice(seen).every((k) => k === TWO)).toBe(true);
    const audit = await cli(['audit', 'show', '--outcome', 'retired', '--json']);
    const recs = JSON.parse(audit.stdout).records;
    expect(recs).toHaveLength(1);
    expect(JSON.stringify(recs)).not.toMatch(new RegExp(`${ONE}|${ADMIN}`));
    for (const out of [r.stdout, r.stderr, audit.stdout]) expect(out).not.toContain(ADMIN);
  }, 600_000);

  test('the Admin API down at retire: promoted anyway (exit 0), retirement left open; a read-only admin key names the permission; retire --due finishes it', async () => {
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], THREE)).code).toBe(0);
    admin.down(1000);
    let r = await cli(['rotate', 'anthropic', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(JSON.parse(r.stdout).retirements).toMatchObject([{ outcome: 'failed' }]);
    expect(admin.status(ids[TWO]!)).toBe('active');
    admin.down(0);
    expect((await cli(['store', 'local', 'rekey/anthropic-admin', '--stdin'], READONLY)).code).toBe(0);
    r = await cli(['retire', '--due']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/permission_error/);
    expect(admin.status(ids[TWO]!)).toBe('active');
    expect((await cli(['store', 'local', 'rekey/anthropic-admin', '--stdin'], ADMIN)).code).toBe(0);
    r = await cli(['retire', '--due', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).retirements).toMatchObject([{ outcome: 'retired' }]);
    expect(admin.status(ids[TWO]!)).toBe('inactive');
    expect((await cli(['retire', '--due', '--json'])).stdout).toMatch(/"retirements": \[\]/);
  }, 600_000);

  test('scheduled-style, no human input: a due key is replaced from the standby pool, the old one retired and refused upstream, the pool one shorter', async () => {
    expect((await cli(['init'])).code).toBe(0);
    admin.down(0);
    expect((await cli(['store', 'local', 'rekey/anthropic-admin', '--stdin'], ADMIN)).code).toBe(0);
    // this test's own starting point: FOUR current and delivered
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], FOUR)).code).toBe(0);
    let r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const policy = readFileSync(f.policyFile, 'utf8');
    try {
      // due at once (maxAge 1m), two keys wanted in the pool
      writeFileSync(f.policyFile, policy.replace('    maxAge: 90d\n', '    maxAge: 1m\n    minStandby: 2\n'));
      r = await cli(['put', 'anthropic', '--env', 'prod', '--standby', '--stdin'], FIVE);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/in the standby pool as \S+: openclaw\/prod\/anthropic holds 1/);
      r = await cli(['status', '--check']);
      expect(r.code).toBe(2); // expiring, and the pool below minStandby
      expect(r.stdout).toMatch(/standby 1\/2 \(LOW/);
      r = await cli(['rotate', '--due', '--json']);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const due = JSON.parse(r.stdout);
      expect(due.items).toMatchObject([{ secret: 'anthropic', env: 'prod', outcome: 'rotated' }]);
      expect(admin.status(ids[FOUR]!)).toBe('inactive');
      expect(admin.status(ids[FIVE]!)).toBe('active');
      const audit = JSON.parse((await cli(['audit', 'show', '--json'])).stdout).records as { command: string; standby?: { event: string }[]; retirement?: unknown; outcome: string }[];
      expect(audit.filter((x) => x.command === 'rotate').at(-1)).toMatchObject({ outcome: 'promoted', standby: [{ event: 'drawn' }] });
      expect(audit.filter((x) => x.command === 'retire').at(-1)).toMatchObject({ outcome: 'retired', retirement: { probe: 'refused' } });
      // the agent's next turn reaches the provider with the drawn key
      await f.waitGatewayReady();
      const seen = f.fake.seenKeys.length;
      const turn = await f.agentTurn();
      expect(turn.code, turn.stdout + turn.stderr).toBe(0);
      expect(f.fake.seenKeys.slice(seen).every((k) => k === FIVE)).toBe(true);
      const st = JSON.parse((await cli(['status', 'anthropic', '--skip-sources', '--json'])).stdout);
      expect(st.secrets[0].refs[0].standby).toMatchObject({ entries: [], min: 2, low: true });
      // the pool is empty: the next due run reports it needs a new key (exit 3), changes nothing
      r = await cli(['rotate', '--due', '--json']);
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout).items).toMatchObject([{ outcome: 'needs-new-key' }]);
      for (const out of [r.stdout, r.stderr, JSON.stringify(audit)]) expect(out).not.toMatch(new RegExp(`${FIVE}|${FOUR}|${ADMIN}`));
    } finally {
      writeFileSync(f.policyFile, policy);
    }
  }, 600_000);

  test('revoke --fingerprint --scrub: the leaked key replaced from the standby pool, retired upstream at once and refused, its backup copy removed; containment report', async () => {
    expect((await cli(['init'])).code).toBe(0);
    admin.down(0);
    expect((await cli(['store', 'local', 'rekey/anthropic-admin', '--stdin'], ADMIN)).code).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], SIX)).code).toBe(0);
    let r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--standby', '--stdin'], SEVEN)).code).toBe(0);
    // an OpenClaw backup still holding the leaked key
    const bak = join(f.home, '.openclaw', 'gateway.systemd.env.bak');
    writeFileSync(bak, `ANTHROPIC_API_KEY=${SIX}\n`, { mode: 0o600 });
    const fp = SecretValue.of(SIX).fingerprint;
    // what an operator reads first: the dry run, in text
    r = await cli(['revoke', 'anthropic', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`revoke anthropic (reissue-then-retire, dry run): dry run: 1 consumer(s) would move to a new value, then 1 leaked value(s) would be retired at anthropic at once`);
    expect(r.stdout).toContain(`leaked: ${fp} (openclaw/prod/anthropic, current)`);
    r = await cli(['revoke', '--fingerprint', fp.split('#')[1]!, '--scrub', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const [rep] = JSON.parse(r.stdout).revocations;
    expect(rep).toMatchObject({ secret: 'anthropic', order: 'reissue-then-retire', leaked: [{ fingerprint: fp, stage: 'current' }], rotation: { outcome: 'promoted', standby: [{ left: 0 }] }, retirements: [{ fingerprint: fp, outcome: 'retired', probe: 'refused' }], stillHolding: [] });
    expect(rep.consumers).toHaveLength(1);
    expect(rep.consumers[0]).toMatchObject({ agent: 'main', env: 'prod', unit: 'openclaw-gateway.service' });
    expect(Date.parse(rep.consumers[0].verifiedAt)).toBeGreaterThanOrEqual(Date.parse(rep.consumers[0].stoppedHoldingAt));
    expect(rep.timeToContainMs).toBeGreaterThan(0);
    expect(admin.status(ids[SIX]!)).toBe('inactive');
    expect(existsSync(bak)).toBe(false);
    await f.waitGatewayReady();
    const seen = f.fake.seenKeys.length;
    const turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.slice(seen).every((k) => k === SEVEN)).toBe(true);
    const audit = JSON.parse((await cli(['audit', 'show', '--json'])).stdout).records as { command: string; outcome: string; rotationId: string; containment?: unknown }[];
    const revoked = audit.filter((x) => x.command === 'revoke').at(-1)!;
    expect(revoked).toMatchObject({ outcome: 'contained', containment: { order: 'reissue-then-retire', stillHolding: [] } });
    // the change-ticket report of it
    const md = await cli(['report', revoked.rotationId, '--format', 'md']);
    expect(md.code, md.stderr).toBe(0);
    for (const part of ['# rekey revoke: anthropic — contained', '```mermaid', 'unit openclaw-gateway.service', '## Containment', '| verify |', `at anthropic: retired (the provider: refused)`]) expect(md.stdout).toContain(part);
    expect(md.stdout).not.toMatch(new RegExp(`${SIX}|${SEVEN}`));
    for (const out of [r.stdout, r.stderr, JSON.stringify(audit)]) expect(out).not.toMatch(new RegExp(`${SIX}|${SEVEN}|${ADMIN}`));
  }, 600_000);
});
