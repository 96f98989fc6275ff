/**
 * A hostile file system under the env-file sink, on real mounts: a full disk (a tiny tmpfs) and a
 * read-only one; plus a whole rotation whose env file sits on the full disk. Refused or failed
 * safely: the old file intact, mode never wider than 0600, no temp file left behind.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSystemdEnvFileSink } from '../../providers/sinks/systemd-env-file.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { record } from '../harness/figures.js';
import { startGatewayFixture, type GatewayFixture } from '../harness/gateway-fixture.js';
import { rekeyAsync } from '../harness/rekey-cli.js';
import { envFileTarget } from '../harness/targets.js';

const S = 'hostile fs';
const sig = new AbortController().signal;
const mounts: string[] = [];

function tinyTmpfs(sizeKb: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}
function fill(dir: string): void {
  // fill the disk to the last block
  try {
    writeFileSync(join(dir, 'filler'), Buffer.alloc(4 * 1024 * 1024));
  } catch {
    /* ENOSPC: full now */
  }
}

afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', [m]);
      rmSync(m, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
});

describe('hostile file system (real mounts)', () => {
  test('disk full: the write fails, the old file is intact, no temp file is left', async () => {
    const dir = tinyTmpfs(64);
    const path = join(dir, 'gateway.systemd.env');
    const original = `# ops\nANTHROPIC_API_KEY=old-${'o'.repeat(40)}\n`;
    writeFileSync(path, original, { mode: 0o600 });
    fill(dir);
    const sink = createSystemdEnvFileSink();
    const err = await sink.write(envFileTarget(path), SecretValue.of(`new-${'n'.repeat(8000)}`), sig).catch((e: NodeJS.ErrnoException) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(readFileSync(path, 'utf8')).toBe(original);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['filler', 'gateway.systemd.env']);
    record({ suite: S, measure: 'disk full: old file intact, temp files left', value: `yes/${readdirSync(dir).length - 2}`, must: 'yes/0' });
  });

  test('read-only: the write fails, the old file is intact', async () => {
    const dir = tinyTmpfs(64);
    const path = join(dir, 'gateway.systemd.env');
    const original = 'ANTHROPIC_API_KEY=old-value-000000000000\n';
    writeFileSync(path, original, { mode: 0o600 });
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const err = await createSystemdEnvFileSink()
      .write(envFileTarget(path), SecretValue.of('new-value-0000000000000'), sig)
      .catch((e: NodeJS.ErrnoException) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('EROFS');
    expect(readFileSync(path, 'utf8')).toBe(original);
    record({ suite: S, measure: 'read-only: refused with EROFS, old file intact', value: 'yes', must: 'yes' });
  });

  test('a file wider than 0600 is narrowed on write; a restored file is never wider than 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-modes-'));
    chmodSync(dir, 0o700);
    const path = join(dir, 'x.env');
    writeFileSync(path, 'ANTHROPIC_API_KEY=old\n', { mode: 0o644 });
    const sink = createSystemdEnvFileSink();
    const t = envFileTarget(path);
    const snap = await sink.snapshot(t, sig);
    await sink.write(t, SecretValue.of('new-value-0000000000000'), sig);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await sink.restore(t, snap, sig);
    expect(readFileSync(path, 'utf8')).toBe('ANTHROPIC_API_KEY=old\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  describe('a whole rotation on a full disk', () => {
    let f: GatewayFixture;
    let dir = '';
    beforeAll(async () => {
      // mounted before the user manager starts, so its private mount namespace gets a copy of the
      // mount (same filesystem): the unit really reads the env file on the full disk
      dir = tinyTmpfs(64);
      f = await startGatewayFixture({ allow: [], settleMs: 200 });
      // the provider accepts every key here (rekey's probes ask it before and after delivery)
      f.fake.acceptWhen(() => true);
    });
    afterAll(async () => {
      await f?.close();
    });

    test('delivery fails → rolled back, exit 5, the env file intact, no temp file', async () => {
      mkdirSync(join(dir, 'state'), { mode: 0o700 });
      const envFile = join(dir, 'state', 'gateway.systemd.env');
      const OLD = `sk-ant-old-${'a'.repeat(38)}`;
      const original = `ANTHROPIC_API_KEY=${OLD}\n`;
      writeFileSync(envFile, original, { mode: 0o600 });
      f.um.writeUnit('openclaw-gateway.service', `[Service]\nEnvironment=HOME=${f.home}\nEnvironmentFile=${envFile}\nExecStart=/bin/sleep infinity\n`);
      f.um.systemctl('restart', 'openclaw-gateway.service');
      writeFileSync(f.policyFile, readFileSync(f.policyFile, 'utf8').replace(f.envFile, envFile));
      const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);
      expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], OLD)).code).toBe(0);
      const first = await cli(['rotate', 'anthropic']);
      expect(first.code, first.stderr).toBe(0);
      expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], `sk-ant-new-${'b'.repeat(8000)}`)).code).toBe(0);
      fill(join(dir));
      const r = await cli(['rotate', 'anthropic']);
      expect(r.code, r.stderr).toBe(5);
      expect(r.stderr).toMatch(/✗ deliver .*ENOSPC/);
      expect(r.stderr).toMatch(/── rolled-back/);
      expect(readFileSync(envFile, 'utf8')).toBe(original);
      expect(readdirSync(join(dir, 'state'))).toEqual(['gateway.systemd.env']);
      record({ suite: S, measure: 'rotation on a full disk: exit / file intact', value: `${r.code}/yes`, must: '5/yes' });
    });
  });
});
