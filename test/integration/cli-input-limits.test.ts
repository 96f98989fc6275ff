/**
 * Input that could leak or exhaust: a key pasted into argv after `put <secret> --stdin`, a value
 * far larger than any credential, a policy that is a device or a huge file. The real CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lightPolicy } from '../harness/light-policy.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const POLICY = lightPolicy({ envFile: '/tmp/rekey-limits-never-written.env', reason: 'input limits only, never rotated' });


describe('input limits', () => {
  const setup = async () => {
    const root = mkdtempSync(join(tmpdir(), 'rekey-limits-'));
    const policy = join(root, 'policy.yaml');
    writeFileSync(policy, POLICY);
    const env = { HOME: root, REKEY_HOME: join(root, 'rekey'), PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    const cli = (args: string[], input?: string, p = policy) => rekeyAsync([...args, '--policy', p], env, input);
    expect((await cli(['init'])).code).toBe(0);
    return { root, cli };
  };

  test('extra positional arguments after put <secret> --stdin: exit 2, never echoed, nothing stored', async () => {
    const { cli } = await setup();
    const pasted = 'sk-ant-pasted-into-argv-000000000000000000000';
    const r = await cli(['put', 'anthropic', pasted, '--env', 'prod', '--stdin'], 'sk-ant-from-stdin-0000000000000000000000000');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/1 more argument\(s\) were given \(not shown/);
    expect(r.stdout + r.stderr).not.toContain(pasted);
    const st = JSON.parse((await cli(['status', 'anthropic', '--json', '--skip-sources'])).stdout);
    expect(st.secrets[0].refs[0].versions).toEqual([]);
  });

  test('a 15 MB value is refused at put (exit 2), before anything is stored', async () => {
    const { cli } = await setup();
    const r = await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], 'k'.repeat(15 * 1024 * 1024));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/larger than 64 KiB/);
  });

  test('a policy larger than 1 MiB, or /dev/zero, is refused without reading it whole (exit 2)', async () => {
    const { root, cli } = await setup();
    const big = join(root, 'big.yaml');
    writeFileSync(big, POLICY + '#'.repeat(2 * 1024 * 1024));
    for (const p of [big, '/dev/zero']) {
      const r = await cli(['status'], undefined, p);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/larger than 1024 KiB/);
    }
  });
});
