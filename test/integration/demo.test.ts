/**
 * The README's first command (`npm run demo`, which runs dist/scripts/demo.js after installing and
 * building): it must keep working end to end — a real rotation on the embedded backend, the new key
 * reaching the provider through the real Gateway, the audit chain intact.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPO } from '../harness/openclaw.js';

test('the demo rotates the Gateway\'s key end to end and says so', async () => {
  const child = spawn(process.execPath, [join(REPO, 'dist', 'scripts', 'demo.js')], { cwd: REPO, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  expect(code, out).toBe(0);
  expect(out).toMatch(/rotated anthropic: every target verified, new version promoted/);
  expect(out).toMatch(/the Gateway sent \d+ request\(s\), all with the NEW key/);
  expect(out).toMatch(/chain intact, 4 record\(s\)/);
  expect(out).not.toContain('sk-ant-demo-new-2b8e5d1f9a4c7e3b6d0a8f2c5e9b1d4a');
});
