/**
 * Fleet rotation (issue 20): one rotation across several hosts, coordinated through the secret
 * manager only. Five hosts on this machine, each with its own host name, home, REKEY_HOME and
 * systemd user manager: g1 and g2 run the real OpenClaw Gateway (verified with the real CLI), l1–l3
 * the light unit (verified with the stand-in). The backends are the loopback Vault (KV v2, cas) and
 * AWS Secrets Manager (labels, ClientRequestTokens) through the real SDK clients. The agents are
 * the real `rekey agent` CLI, run in a loop per host as their timers would.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { awsClientFor } from '../harness/aws-client.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../harness/fake-secrets-manager.js';
import { startFakeVault, type FakeVault } from '../harness/fake-vault.js';
import { startFleet, type Fleet } from '../harness/fleet.js';

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
      fleet.writePolicy({ backend: `{ kind: vault, address: "${vault.address}", mount: secret }`, ref, ...(hosts ? { hosts } : {}) });
      vault.writeDirect('secret', ref, { value: OLD });
    } else {
      fleet.writePolicy({ backend: `{ kind: aws-secrets-manager, region: us-east-1, endpoint: "${aws.endpoint}" }`, ref, ...(hosts ? { hosts } : {}) });
      await awsClientFor(aws.endpoint).send(new CreateSecretCommand({ Name: ref, SecretString: OLD }));
    }
    for (const h of fleet.hosts) h.f.resetEnvFile(`ANTHROPIC_API_KEY=${OLD}\n`);
    for (const h of fleet.hosts) if (h.real) await h.f.waitGatewayReady();
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
    const r = await fleet.cli('ops', ['rotate', 'anthropic', '--fleet', '--canary', 'l1', '--max-parallel', '2', '--wave-timeout', '4m', '--poll', '300ms', '--json']);
    await agents.stop();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.outcome).toBe('promoted');
    expect(rep.waves).toEqual([['l1'], ['g1', 'g2'], ['l2', 'l3']]);
    expect(rep.hosts.map((h: { host: string; state: string }) => `${h.host}:${h.state}`).sort()).toEqual(['g1:verified', 'g2:verified', 'l1:verified', 'l2:verified', 'l3:verified']);
    for (const h of fleet.hosts) expect(h.held(), h.name).toBe(NEW);
    expect(OLD).not.toBe(NEW);
    // the real Gateways answer an agent turn with the new key (their provider saw it)
    for (const g of fleet.hosts.filter((h) => h.real)) {
      const turn = await g.f.agentTurn();
      expect(turn.code, `${g.name}: ${turn.stderr}`).toBe(0);
      expect(g.f.fake.seenKeys.at(-1), g.name).toBe(NEW);
    }
    const st = await fleetStatus();
    expect(st.rollout.state).toBe('promoted');
    expect(st.hosts.every((h) => h.current)).toBe(true);
  });
});
