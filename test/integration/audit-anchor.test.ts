/**
 * The audit chain's head kept outside the host: after every record it is written to a shared
 * backend (Vault KV, or a tag on an AWS secret). A deleted tail of the local log, which the chain
 * alone cannot show, is caught by `rekey audit verify` against it. The real CLI, the real SDK
 * clients against the loopback servers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeSecretsManager, type FakeSecretsManager } from '../harness/fake-secrets-manager.js';
import { startFakeVault, type FakeVault } from '../harness/fake-vault.js';
import { lightPolicy } from '../harness/light-policy.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const policyWith = (anchorBackend: string, backends: string, envFile: string) =>
  lightPolicy({ envFile, reason: 'audit only', backends, audit: `{ anchor: { backend: ${anchorBackend} } }` });
const KEY = (i: number) => `sk-ant-anchor-${String(i).padStart(4, '0')}-000000000000000000000000`;

describe('the audit chain anchored in a shared backend', () => {
  let vault: FakeVault;
  let aws: FakeSecretsManager;
  beforeAll(async () => {
    vault = await startFakeVault();
    vault.addToken('hvs.anchor');
    aws = await startFakeSecretsManager();
  });
  afterAll(async () => {
    await vault?.close();
    await aws?.close();
  });

  const setup = async (anchor: 'vault' | 'aws') => {
    const root = mkdtempSync(join(tmpdir(), 'rekey-anchor-'));
    const policy = join(root, 'policy.yaml');
    const backends = anchor === 'vault' ? `vault: { kind: vault, address: "${vault.address}" }` : `aws: { kind: aws-secrets-manager, region: us-east-1, endpoint: "${aws.endpoint}" }`;
    writeFileSync(policy, policyWith(anchor, backends, join(root, 'gw.env')));
    const env = {
      HOME: root,
      REKEY_HOME: join(root, 'rekey'),
      REKEY_HOSTNAME: `host-${anchor}`,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      VAULT_TOKEN: 'hvs.anchor',
      AWS_ACCESS_KEY_ID: 'AKIDREKEYTEST000000',
      AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', policy], env, input);
    expect((await cli(['init'])).code).toBe(0);
    for (let i = 1; i <= 3; i++) expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], KEY(i))).code).toBe(0);
    return { cli, audit: join(root, 'rekey', 'audit.jsonl') };
  };

  test.each(['vault', 'aws'] as const)('%s: verify matches the anchor; a deleted tail is caught (exit 4), though the chain itself is intact', async (anchor) => {
    const { cli, audit } = await setup(anchor);
    if (anchor === 'vault') expect(vault.kv.get('secret/rekey/audit/host-vault')!.versions.size).toBe(3);
    else expect(aws.secrets.get('rekey/audit/host-aws')!.tags!.find((t) => t.Key === 'rekey-audit-head')!.Value).toMatch(/^3:[0-9a-f]{64}$/);
    let v = await cli(['audit', 'verify']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/chain intact, 3 record\(s\)/);
    expect(v.stdout).toMatch(/anchor .*\(record 3, written by host-/);
    expect(v.stdout).toMatch(/: matches/);
    // the last record removed: the chain that is left is intact, the anchor is not
    const lines = readFileSync(audit, 'utf8').trimEnd().split('\n');
    writeFileSync(audit, lines.slice(0, -1).join('\n') + '\n');
    v = await cli(['audit', 'verify']);
    expect(v.code).toBe(4);
    expect(v.stdout).toMatch(/chain intact, 2 record\(s\)/);
    expect(v.stdout).toMatch(/the log .* ends at record 2: records 3…3 were DELETED/);
  });
});
