/**
 * Fleet rotation (issue 20): one rotation across several hosts, coordinated through the secret
 * manager only. Five hosts on this machine, each with its own host name, home, REKEY_HOME and
 * systemd user manager: g1 and g2 run the real OpenClaw Gateway (verified with the real CLI), l1–l3
 * the light unit (verified with the stand-in). The backends are the loopback Vault (KV v2, cas) and
 * AWS Secrets Manager (labels, ClientRequestTokens) through the real SDK clients. The agents are
 * the real `rekey agent` CLI, run in a loop per host as their timers would.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { awsClientFor } from '../harness/aws-client.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../harness/fake-secrets-manager.js';
import { startFakeVault, type FakeVault } from '../harness/fake-vault.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { revertingShadowLines } from '../harness/gateway-fixture.js';
import { REKEY_MAIN } from '../harness/rekey-cli.js';

let k = 0;
const key = (tag: string) => `sk-ant-${tag}-${String(++k).padStart(4, '0')}${'q'.repeat(30)}`;
let n = 0;

describe('fleet rotation through the backend: 5 hosts (2 real Gateways), Vault and AWS', () => {
  let fleet: Fleet;
  let vault: FakeVault;
  let aws: FakeSecretsManager;

  beforeAll(async () => {
    vault = await startFakeVault();
    vault.addToken('hvs.fleet');
    aws = await startFakeSecretsManager();
    fleet = await startFleet({ real: ['g1', 'g2'], light: ['l1', 'l2', 'l3'] });
    Object.assign(fleet.credentials, { VAULT_TOKEN: 'hvs.fleet', AWS_ACCESS_KEY_ID: 'AKIDREKEYTEST000000', AWS_SECRET_ACCESS_KEY: 'test-secret-access-key', AWS_EC2_METADATA_DISABLED: 'true' });
    for (const h of fleet.hosts) if (h.real) await h.f.installGateway();
    for (const h of fleet.hosts) if (!h.real) await h.f.installLightUnit();
  });
  // a failed test's agents must not run on into the next one
  afterEach(async () => fleet?.stopAgents());
  afterAll(async () => {
    await fleet?.close();
    await vault?.close();
    await aws?.close();
  });

  /** a fresh secret for one test: current = OLD in the backend and in every host's consumer */
  const setUp = async (backend: 'vault' | 'aws', hosts?: string[]) => {
    const OLD = key('old');
    const id = ++n;
    const ref = `openclaw/fleet${id}/anthropic`;
    if (backend === 'vault') {
      fleet.writePolicy({ backend: `{ kind: vault, address: "${vault.address}", mount: secret }`, ref, prefix: `rekey/fleet-t${id}`, ...(hosts ? { hosts } : {}) });
      vault.writeDirect('secret', ref, { value: OLD });
    } else {
      fleet.writePolicy({ backend: `{ kind: aws-secrets-manager, region: us-east-1, endpoint: "${aws.endpoint}" }`, ref, prefix: `rekey/fleet-t${id}`, ...(hosts ? { hosts } : {}) });
      await awsClientFor(aws.endpoint).send(new CreateSecretCommand({ Name: ref, SecretString: OLD }));
    }
    // only the hosts this test's policy names (a real Gateway's restart costs ~20 s of CPU)
    const named = fleet.hosts.filter((h) => !hosts || hosts.includes(h.name));
    for (const h of named) h.f.resetEnvFile(`ANTHROPIC_API_KEY=${OLD}\n`);
    for (const h of named) if (h.real) await h.f.waitGatewayReady();
    return { OLD, ref };
  };
  const put = async (value: string) => {
    const r = await fleet.cli('ops', ['put', 'anthropic', '--env', 'prod', '--stdin'], value);
    expect(r.code, r.stderr).toBe(0);
  };
  const fleetStatus = async () => {
    const r = await fleet.cli('ops', ['status', '--fleet', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout).fleet[0] as { rollout: { state: string; missing?: string[] }; hosts: { host: string; current: boolean; last: { what: string } | null }[] };
  };

  test('Vault: a full rollout with a canary promotes once every host verified; every consumer holds the new key', async () => {
    const { OLD } = await setUp('vault');
    const NEW = key('new');
    await put(NEW);
    const agents = fleet.agents();
    const r = await fleet.cli('ops', ['rotate', 'anthropic', '--fleet', '--canary', 'l1', '--max-parallel', '2', '--wave-timeout', '8m', '--poll', '300ms', '--json']);
    await agents.stop();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.outcome).toBe('promoted');
    expect(rep.waves).toEqual([['l1'], ['g1', 'g2'], ['l2', 'l3']]);
    expect(rep.hosts.map((h: { host: string; state: string }) => `${h.host}:${h.state}`).sort()).toEqual(['g1:verified', 'g2:verified', 'l1:verified', 'l2:verified', 'l3:verified']);
    for (const h of fleet.hosts) expect(h.held(), h.name).toBe(NEW);
    expect(OLD).not.toBe(NEW);
    // the real Gateways answer an agent turn with the new key (their provider saw it)
    // (the models-status verifier reads what the process holds; its HTTP listener may still be starting)
    for (const g of fleet.hosts.filter((h) => h.real)) {
      await g.f.waitGatewayReady();
      const turn = await g.f.agentTurn();
      expect(turn.code, `${g.name}: ${turn.stderr}`).toBe(0);
      expect(g.f.fake.seenKeys.at(-1), g.name).toBe(NEW);
    }
    const st = await fleetStatus();
    expect(st.rollout.state).toBe('promoted');
    expect(st.hosts.every((h) => h.current)).toBe(true);
  });

  test('AWS: one host fails verification → the rollout aborts, every host that delivered puts the old key back and verifies it, pending discarded', async () => {
    const { OLD, ref } = await setUp('aws');
    const NEW = key('new');
    await put(NEW);
    // l2's unit puts the old key back behind rekey's back at every start: it delivers, but its consumer never holds NEW
    const l2 = fleet.host('l2');
    await l2.f.installLightUnit(revertingShadowLines(l2.f.root, l2.f.envFile, OLD));
    try {
      const agents = fleet.agents();
      const r = await fleet.cli('ops', ['rotate', 'anthropic', '--fleet', '--canary', 'g1', '--max-parallel', '4', '--wave-timeout', '8m', '--poll', '300ms', '--json']);
      await agents.stop();
      expect(r.code, r.stderr + r.stdout).toBe(5);
      const rep = JSON.parse(r.stdout);
      expect(rep.outcome).toBe('aborted');
      expect(rep.message).toMatch(/host l2 failed in wave 1/);
      const states = Object.fromEntries(rep.hosts.map((h: { host: string; state: string }) => [h.host, h.state]));
      expect(states).toEqual({ g1: 'restored', g2: 'restored', l1: 'restored', l2: 'failed', l3: 'restored' });
      for (const h of fleet.hosts) expect(h.held(), h.name).toBe(OLD);
      // pending discarded, current untouched
      const labels = Object.values(aws.labels(ref)).flat();
      expect(labels).not.toContain('AWSPENDING');
      const st = await fleetStatus();
      expect(st.rollout.state).toBe('aborted');
      expect(st.hosts.every((h) => h.current)).toBe(true);
      // the real Gateway serves with the old key again
      await fleet.host('g1').f.waitGatewayReady();
      const turn = await fleet.host('g1').f.agentTurn();
      expect(turn.code, turn.stderr).toBe(0);
      expect(fleet.host('g1').f.fake.seenKeys.at(-1)).toBe(OLD);
    } finally {
      await l2.f.installLightUnit();
    }
  });

  test('Vault: a host killed mid-wave finishes on its next run; the rollout promotes', async () => {
    await setUp('vault', ['l1', 'l2']);
    const NEW = key('new');
    await put(NEW);
    const l1 = fleet.host('l1');
    const coordinator = fleet.cli('ops', ['rotate', 'anthropic', '--fleet', '--wave-timeout', '4m', '--poll', '300ms', '--json']);
    // l1's first pass is killed once its delivery is journaled
    const journal = join(l1.env.REKEY_HOME!, 'journal');
    const before = new Set(existsSync(journal) ? readdirSync(journal) : []);
    let killed = false;
    for (let attempt = 0; attempt < 40 && !killed; attempt++) {
      const child = spawn(process.execPath, [REKEY_MAIN, 'agent', '--policy', fleet.policyFile], { env: l1.env, stdio: 'ignore' });
      const exited = new Promise((res) => child.once('exit', res));
      while (child.exitCode === null && !killed) {
        const delivered = existsSync(journal) && readdirSync(journal).filter((x) => !before.has(x)).some((x) => /"type":"ok"[^\n]*"phase":"deliver"/.test(readFileSync(join(journal, x), 'utf8')));
        if (delivered) {
          child.kill('SIGKILL');
          killed = true;
        } else await new Promise((res) => setTimeout(res, 20));
      }
      await exited;
      if (!killed) await new Promise((res) => setTimeout(res, 300));
    }
    expect(killed).toBe(true);
    const agents = fleet.agents({ skip: ['g1', 'g2', 'l3'] });
    const r = await coordinator;
    await agents.stop();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(l1.held()).toBe(NEW);
    expect(fleet.host('l2').held()).toBe(NEW);
    // the next pass resumed the killed one (rolled back, then delivered again)
    const first = JSON.parse(agents.runs.get('l1')![0]!.stdout);
    expect(first.resumed.length).toBe(1);
    expect(first.items[0].action).toBe('delivered');
  });

  test('AWS: an offline host times its wave out → aborted; with --allow-missing 1 the rollout promotes and the host converges later', async () => {
    const { OLD } = await setUp('aws', ['l1', 'l3']);
    const NEW = key('new');
    await put(NEW);
    let agents = fleet.agents({ skip: ['g1', 'g2', 'l2', 'l3'] });
    const r1 = await fleet.cli('ops', ['rotate', 'anthropic', '--fleet', '--wave-timeout', '20s', '--poll', '300ms', '--json']);
    await agents.stop();
    // l1 may still have been delivering when the wave timed out: its next pass puts it back
    expect((await fleet.cli('l1', ['agent'])).code).toBe(0);
    expect(r1.code, r1.stderr + r1.stdout).toBe(4);
    expect(JSON.parse(r1.stdout).message).toMatch(/l3 did not acknowledge/);
    expect(fleet.host('l1').held()).toBe(OLD);
    expect(fleet.host('l3').held()).toBe(OLD);

    const NEW2 = key('new');
    await put(NEW2);
    agents = fleet.agents({ skip: ['g1', 'g2', 'l2', 'l3'] });
    const r2 = await fleet.cli('ops', ['rotate', 'anthropic', '--fleet', '--wave-timeout', '20s', '--allow-missing', '1', '--poll', '300ms', '--json']);
    await agents.stop();
    expect(r2.code, r2.stderr + r2.stdout).toBe(0);
    expect(fleet.host('l1').held()).toBe(NEW2);
    expect(fleet.host('l3').held()).toBe(OLD);
    let st = await fleetStatus();
    expect(st.rollout.missing).toEqual(['l3']);
    expect(st.hosts.find((h) => h.host === 'l3')!.current).toBe(false);
    // l3 comes back: its next pass converges to the promoted version and verifies it
    const back = await fleet.cli('l3', ['agent', '--json']);
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout).items[0].action).toBe('converged');
    expect(fleet.host('l3').held()).toBe(NEW2);
    st = await fleetStatus();
    expect(st.hosts.every((h) => h.current)).toBe(true);
    // and a pass with nothing to do changes nothing
    const again = await fleet.cli('l3', ['agent', '--json']);
    expect(JSON.parse(again.stdout).items[0].action).toBe('in-sync');
  });

  test('AWS: --abort from another shell ends the open rollout; the live coordinator stops (exit 3) and the canary puts the old key back', async () => {
    const { OLD, ref } = await setUp('aws', ['l1', 'l2']);
    const NEW = key('new');
    await put(NEW);
    // only the canary's agent runs: wave 1 (l2) cannot finish before the abort
    let agents = fleet.agents({ skip: ['g1', 'g2', 'l2', 'l3'] });
    const coordinator = fleet.cli('ops', ['rotate', 'anthropic', '--fleet', '--canary', 'l1', '--wave-timeout', '4m', '--poll', '300ms', '--json']);
    const l1 = fleet.host('l1');
    for (let i = 0; i < 600 && l1.held() !== NEW; i++) await new Promise((res) => setTimeout(res, 200));
    expect(l1.held()).toBe(NEW);
    const ab = await fleet.cli('ops', ['rotate', 'anthropic', '--fleet', '--abort', '--json']);
    expect(ab.code, ab.stderr).toBe(0);
    expect(JSON.parse(ab.stdout).outcome).toBe('aborted');
    // every host whose wave opened acknowledges the abort once it holds the old key
    await agents.stop();
    agents = fleet.agents({ skip: ['g1', 'g2', 'l3'] });
    const r = await coordinator;
    await agents.stop();
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(JSON.parse(r.stdout).message).toMatch(/aborted by .* on ops/);
    expect(l1.held()).toBe(OLD);
    expect(fleet.host('l2').held()).toBe(OLD);
    expect(Object.values(aws.labels(ref)).flat()).not.toContain('AWSPENDING');
    expect((await fleetStatus()).rollout.state).toBe('aborted');
    // nothing open now: a second abort changes nothing
    const again = await fleet.cli('ops', ['rotate', 'anthropic', '--fleet', '--abort', '--json']);
    expect([again.code, JSON.parse(again.stdout).outcome]).toEqual([0, 'nothing-open']);
  });

  for (const backend of ['vault', 'aws'] as const) {
    test(`${backend}: two coordinators at once → exactly one rollout`, async () => {
      await setUp(backend, ['l1']);
      const NEW = key('new');
      await put(NEW);
      const agents = fleet.agents({ skip: ['g1', 'g2', 'l2', 'l3'] });
      const args = ['rotate', 'anthropic', '--fleet', '--wave-timeout', '4m', '--poll', '300ms', '--json'];
      const [a, b] = await Promise.all([fleet.cli('ops', args), fleet.cli('ops', args)]);
      await agents.stop();
      const codes = [a.code, b.code].sort();
      expect(codes, a.stderr + b.stderr).toEqual([0, 3]);
      const loser = a.code === 3 ? a : b;
      expect(loser.stdout + loser.stderr).toMatch(/ROLLOUT_TAKEN|ROLLOUT_OPEN/);
      expect(fleet.host('l1').held()).toBe(NEW);
      const st = await fleetStatus();
      expect(st.rollout.state).toBe('promoted');
    });
  }
});
