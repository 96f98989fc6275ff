/**
 * A value no delivery can hold is refused at `put` (exit 2), and `rotate --dry-run` runs the same
 * encoding checks as the real rotation: it never says yes to a value the rotation would refuse.
 * Real CLI, real files; no service (the checks come before any write or restart).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { rekeyAsync } from '../harness/rekey-cli.js';
import { anthropicPolicy } from '../harness/light-policy.js';

const UNSAFE = "sk-ant-$HOME-with'quote`and\\backslash-000000";

describe('encoding checks at put and in the dry run', () => {
  const setup = (deliveries: string) => {
    const root = mkdtempSync(join(tmpdir(), 'rekey-deliverable-'));
    const envFile = join(root, 'gateway.env');
    writeFileSync(envFile, 'ANTHROPIC_API_KEY=sk-ant-old-000000000000000000000000000\n', { mode: 0o600 });
    const policyFile = join(root, 'policy.yaml');
    const write = (d: string) =>
      writeFileSync(
        policyFile,
        anthropicPolicy({ services: ` { gateway: { kind: systemd-user, unit: no-such-manager-here.service } }`, deliveries: `${d.replaceAll('ENVFILE', envFile)}` }),
      );
    write(deliveries);
    const env = { HOME: root, REKEY_HOME: join(root, 'rekey'), PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', policyFile], env, input);
    return { root, envFile, cli, write };
  };
  const envDelivery = `      - agent: main
        env: prod
        sink: { kind: systemd-env-file, path: ENVFILE }
        service: gateway
        verify: { kind: none, reason: 'no consumer in this test' }`;
  const keychainDelivery = `      - agent: main
        env: prod
        sink: { kind: keychain }
        service: gateway
        verify: { kind: none, reason: 'no consumer in this test' }`;

  test('put refuses a value the env file cannot hold exactly: exit 2, fingerprint only, nothing stored', async () => {
    const w = setup(envDelivery);
    expect((await w.cli(['init'])).code).toBe(0);
    const r = await w.cli(['put', 'anthropic', '--env', 'prod', '--stdin'], UNSAFE);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/ANTHROPIC_API_KEY \(sk-.*\) contains quotes, backslashes, \$, backticks/);
    expect(r.stderr + r.stdout).not.toContain(UNSAFE);
    const st = JSON.parse((await w.cli(['status', 'anthropic', '--json', '--skip-sources'])).stdout);
    expect(st.secrets[0].refs[0].versions).toEqual([]);
  });

  test('a value put before an env-file delivery was added: the dry run refuses it as the rotation would (exit 2), nothing written', async () => {
    const w = setup(keychainDelivery);
    expect((await w.cli(['init'])).code).toBe(0);
    expect((await w.cli(['put', 'anthropic', '--env', 'prod', '--stdin'], UNSAFE)).code).toBe(0);
    w.write(envDelivery);
    const before = readFileSync(w.envFile);
    const dry = await w.cli(['rotate', 'anthropic', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(2);
    expect(dry.stderr).toMatch(/UNSAFE_VALUE|contains quotes/);
    const real = await w.cli(['rotate', 'anthropic']);
    expect(real.code, real.stderr).toBe(2);
    expect(readFileSync(w.envFile).equals(before)).toBe(true);
  });
});
