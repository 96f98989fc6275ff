/**
 * Emergency revoke of one leaked key held by several consumers, against the real Gateway under the
 * real user manager: two OpenClaw agents (main, work) of the Gateway unit share it through its
 * EnvironmentFile=, and a second unit (a batch worker, a light process) holds it through its own
 * env file, verified by the real openclaw CLI in that unit's environment. The Admin API stand-in
 * shares its key states with the model API stand-in: a key retired there is refused by it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SecretValue } from '../../src/core/secret-value.js';
import { startFakeAnthropicAdmin, type FakeAnthropicAdmin } from '../harness/fake-admin-apis.js';
import { gatewayTurn, startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { lightUnit, OPENCLAW } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';
import { anthropicPolicy } from '../harness/light-policy.js';

const ADMIN = 'sk-ant-admin01-' + 'm'.repeat(60);
// the Admin API shows a key by its first characters and last four: each key's last four differ
const key = (tag: string, last4: string) => `sk-ant-api03-many-${tag}-`.padEnd(86, 'x') + last4;
const LEAKED = key('leaked', 'LK1A');
const NEXT = key('next', 'NX2A');
const LEAKED2 = key('second', 'LK3A');
const NEXT2 = key('third', 'NX4A');
const LAST = key('last', 'LS5A');
const WORKER = 'batch-worker.service';

describe('revoke one leaked key held by two agents of the real Gateway and a second unit', () => {
  let f: GatewayFixture;
  let admin: FakeAnthropicAdmin;
  const ids: Record<string, string> = {};
  const cli = (args: string[], input?: string, extraEnv: Record<string, string> = {}) => rekeyAsync([...args, '--policy', f.policyFile], { ...f.env, ...extraEnv }, input);
  let batchEnv: string;

  /** the state every test starts from: LEAKED current and delivered to all three consumers, `standby` pooled */
  const leakedEverywhere = async (leaked: string, standby: string | null) => {
    // each test its own rekey state (store, pool, journal): independent of the tests before
    f.env.REKEY_HOME = join(f.root, `rekey-${leaked.slice(-4)}`);
    expect((await cli(['init'])).code).toBe(0);
    expect((await cli(['store', 'local', 'rekey/anthropic-admin', '--stdin'], ADMIN)).code).toBe(0);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], leaked)).code).toBe(0);
    const r = await cli(['rotate', 'anthropic', '--max-parallel', '2']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    if (standby) expect((await cli(['put', 'anthropic', '--env', 'prod', '--standby', '--stdin'], standby)).code).toBe(0);
  };
  const turnsUse = async (value: string) => {
    await f.waitGatewayReady();
    for (const agent of ['main', 'work']) {
      const seen = f.fake.seenKeys.length;
      const turn = await gatewayTurn(f.gatewayPort, f.gatewayToken, agent);
      expect(turn.code, `${agent}: ${turn.stdout} ${turn.stderr}`).toBe(0);
      expect(f.fake.seenKeys.slice(seen).length).toBeGreaterThan(0);
      expect(f.fake.seenKeys.slice(seen).every((k) => k === value)).toBe(true);
    }
    // the worker's running process holds it (its real environment, as rekey's verifier reads it)
    const environ = readFileSync(`/proc/${f.um.mainPid(WORKER)}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`ANTHROPIC_API_KEY=${value}`);
  };
  const refusedUpstream = async (value: string) => {
    const r = await fetch(`${f.fake.url}/v1/models`, { headers: { 'x-api-key': value, 'anthropic-version': '2023-06-01' } });
    expect(r.status).toBe(401);
  };

  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [] });
    admin = await startFakeAnthropicAdmin({ adminKeys: { [ADMIN]: 'admin' }, onChange: (v, on) => (on ? f.fake.allow(v) : f.fake.deny(v)) });
    for (const k of [LEAKED, NEXT, LEAKED2, NEXT2, LAST]) ids[k] = admin.addKey(k);
    // two agents in the one Gateway: main (default) and work, each with its own agent dir
    const cfgFile = join(f.home, '.openclaw', 'openclaw.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    // the keyed form openclaw 2026.9 validates (a legacy agents.list is migrated, with warnings)
    cfg.agents.ownership = 'explicit';
    cfg.agents.entries = {
      main: {},
      work: { workspace: join(f.home, '.openclaw', 'workspace-work'), agentDir: join(f.home, '.openclaw', 'agents', 'work', 'agent') },
    };
    writeFileSync(cfgFile, JSON.stringify(cfg, null, 2), { mode: 0o600 });
    writeFileSync(f.envFile, '', { mode: 0o600 });
    batchEnv = join(f.home, 'batch.env');
    writeFileSync(batchEnv, '', { mode: 0o600 });
    writeFileSync(
      f.policyFile,
      anthropicPolicy({
        agents: ['main', 'work', 'batch'],
        services: `
  gateway: { kind: systemd-user, unit: ${UNIT}, settleMs: 1000, startTimeoutMs: 30000 }
  worker: { kind: systemd-user, unit: ${WORKER}, settleMs: 200 }`,
        secretKeys: '    issuer: anthropic\n    retire: { after: 0 }\n',
        deliveries: `      - agent: [main, work]
        env: prod
        sink: { kind: systemd-env-file, path: ${f.envFile} }
        service: gateway
        verify: { kind: openclaw-models-status, command: ${JSON.stringify(OPENCLAW)}, timeoutMs: 240000 }
      - agent: batch
        env: prod
        sink: { kind: systemd-env-file, path: ${batchEnv} }
        service: worker
        verify: { kind: openclaw-models-status, command: ${JSON.stringify(OPENCLAW)}, agent: main, timeoutMs: 240000 }`,
      }) + `issuers:\n  anthropic: { kind: anthropic-admin, adminKey: { backend: local, ref: rekey/anthropic-admin }, baseUrl: "${admin.url}" }\n`,
    );
    f.um.writeUnit(WORKER, lightUnit({ home: f.home }).replace(`${f.home}/.openclaw/gateway.systemd.env`, batchEnv));
    expect(f.um.systemctl('start', WORKER).code).toBe(0);
    await f.installGateway();
    await f.waitGatewayReady();
  });
  afterAll(async () => {
    await admin?.close();
    await f?.close();
  });

  test('revoke --fingerprint --scrub: every consumer moves to the new key, the leaked one is retired and refused, no copy left; the report times each consumer', async () => {
    await leakedEverywhere(LEAKED, NEXT);
    const bak = join(f.home, '.openclaw', 'openclaw.json.bak');
    writeFileSync(bak, JSON.stringify({ env: { vars: { ANTHROPIC_API_KEY: LEAKED } } }), { mode: 0o600 });
    const fp = SecretValue.of(LEAKED).fingerprint;
    const r = await cli(['revoke', '--fingerprint', fp, '--scrub', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const [rep] = JSON.parse(r.stdout).revocations;
    expect(rep).toMatchObject({ order: 'reissue-then-retire', leaked: [{ fingerprint: fp, stage: 'current' }], rotation: { outcome: 'promoted' }, retirements: [{ fingerprint: fp, outcome: 'retired', probe: 'refused' }], stillHolding: [] });
    expect(rep.consumers.map((c: { agent: string; unit: string }) => `${c.agent}@${c.unit}`).sort()).toEqual([`batch@${WORKER}`, `main@${UNIT}`, `work@${UNIT}`]);
    for (const c of rep.consumers) {
      expect(c.stoppedHoldingAt, JSON.stringify(c)).not.toBeNull();
      expect(Date.parse(c.verifiedAt)).toBeGreaterThanOrEqual(Date.parse(c.stoppedHoldingAt));
    }
    expect(Date.parse(rep.containedAt)).toBeGreaterThanOrEqual(Math.max(...rep.consumers.map((c: { verifiedAt: string }) => Date.parse(c.verifiedAt))));
    expect(rep.timeToContainMs).toBeGreaterThan(0);
    expect(admin.status(ids[LEAKED]!)).toBe('inactive');
    await refusedUpstream(LEAKED);
    expect(existsSync(bak)).toBe(false);
    expect(readFileSync(f.envFile, 'utf8')).not.toContain(LEAKED);
    expect(readFileSync(batchEnv, 'utf8')).not.toContain(LEAKED);
    await turnsUse(NEXT);
    for (const out of [r.stdout, r.stderr]) expect(out).not.toMatch(new RegExp(`${LEAKED}|${NEXT}|${ADMIN}`));
  }, 900_000);

  test('killed mid-way (SIGKILL once every consumer holds the new key, before verification), `rekey resume` finishes it forward: promoted, the leaked key retired', async () => {
    await leakedEverywhere(LEAKED2, NEXT2);
    // the 23rd journal record of this rotation's shape opens the verify phase (begin, stage 2,
    // snapshot 1+6, deliver 1+6, restart 1+4, verify): SIGKILL right after it is written
    const killed = await cli(['revoke', 'anthropic', '--env', 'prod'], undefined, { REKEY_CRASH_AFTER: '23' });
    expect(killed.code, killed.stderr + killed.stdout).toBeNull();
    const st = JSON.parse((await cli(['status', 'anthropic', '--skip-sources', '--json'])).stdout);
    expect(st.secrets[0].unfinished).toHaveLength(1);
    const r = await cli(['resume', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.resumed).toMatchObject([{ outcome: 'promoted' }]);
    expect(res.resumed[0].message).toMatch(/emergency revoke interrupted during verify/);
    expect(res.retirements).toMatchObject([{ fingerprint: SecretValue.of(LEAKED2).fingerprint, outcome: 'retired' }]);
    expect(admin.status(ids[LEAKED2]!)).toBe('inactive');
    await refusedUpstream(LEAKED2);
    await turnsUse(NEXT2);
    expect(JSON.stringify(JSON.parse((await cli(['retire', '--due', '--json'])).stdout).retirements)).toBe('[]');
  }, 900_000);

  test('--retire-first with no new value: the leaked key is dead at once; the report names every consumer left without a credential and the command that restores them', async () => {
    await leakedEverywhere(LAST, null);
    const r = await cli(['revoke', 'anthropic', '--retire-first', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    const [rep] = JSON.parse(r.stdout).revocations;
    expect(rep.order).toBe('retire-first');
    expect(rep.withoutCredential.targets.sort()).toEqual(['anthropic/prod/batch#1', 'anthropic/prod/main#0', 'anthropic/prod/work#0']);
    expect(rep.withoutCredential.restore).toMatch(/rekey put anthropic .*--stdin && rekey rotate anthropic/);
    expect(admin.status(ids[LAST]!)).toBe('inactive');
    await refusedUpstream(LAST);
  }, 900_000);
});
