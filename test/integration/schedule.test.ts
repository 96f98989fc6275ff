/**
 * Scheduled rotation under the real user manager: `rekey schedule install` writes and enables a
 * real systemd timer; its service (`rekey rotate --due`, hardened, oneshot) rotates a due secret
 * against the real Gateway and rewrites the metrics file (checked with promtool); the same run
 * while a human holds the secret's lock exits cleanly, skipped and reported. `status --check`
 * exit codes: missing 1, expiring 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFileLockManager } from '../../src/io/file-lock.js';
import { startGatewayFixture, UNIT, type GatewayFixture } from '../harness/gateway-fixture.js';
import { REPO } from '../harness/openclaw.js';
import { rekeyAsync } from '../harness/rekey-cli.js';

const ONE = 'sk-ant-sched-one-000000000000000000000000000001';
const TWO = 'sk-ant-sched-two-000000000000000000000000000002';
const THREE = 'sk-ant-sched-three-0000000000000000000000000003';
const PROMTOOL = join(REPO, 'test', 'tools', 'prometheus', 'usr', 'bin', 'promtool');

/** what the timer does: start the oneshot service (not waiting on systemctl), then wait for that run to end */
async function runTimerService(f: GatewayFixture, timeoutMs = 240_000): Promise<{ result: string; status: string }> {
  const svc = 'rekey-rotate.service';
  const before = f.um.show(svc, 'InvocationID');
  const r = f.um.systemctl('start', '--no-block', svc);
  if (r.code !== 0) throw new Error(`systemctl --user start ${svc}: ${r.stderr}`);
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const id = f.um.show(svc, 'InvocationID');
    const state = f.um.show(svc, 'ActiveState');
    if (id && id !== before && (state === 'inactive' || state === 'failed')) return { result: f.um.show(svc, 'Result'), status: f.um.show(svc, 'ExecMainStatus') };
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`${svc} did not finish within ${timeoutMs} ms`);
}

describe('scheduled rotation: a real systemd timer runs rekey rotate --due', () => {
  let f: GatewayFixture;
  let metrics: string;
  const cli = (args: string[], input?: string) => rekeyAsync([...args, '--policy', f.policyFile], f.env, input);
  beforeAll(async () => {
    f = await startGatewayFixture({ allow: [ONE, TWO, THREE] });
    metrics = join(f.root, 'textfile', 'rekey.prom');
    spawnSync('mkdir', ['-p', join(f.root, 'textfile')]);
    writeFileSync(f.envFile, '', { mode: 0o600 });
    f.writePolicy();
    // due one minute after each rotation (the default lead time of 7 days makes it due at once)
    writeFileSync(f.policyFile, readFileSync(f.policyFile, 'utf8').replace('maxAge: 90d', 'maxAge: 1m') + `metrics: { textfile: ${metrics} }\n`);
    await f.installGateway();
    await f.waitGatewayReady();
  });
  afterAll(async () => {
    await f?.close();
  });

  test('install → the timer is enabled; its service rotates the due secret; the Gateway sends the new key; metrics rewritten', async () => {
    expect((await cli(['init'])).code).toBe(0);
    expect((await cli(['status', '--check'])).code).toBe(1); // no current version yet: missing
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], ONE)).code).toBe(0);
    let r = await cli(['rotate', 'anthropic']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    r = await cli(['status', '--check', '--json']);
    expect(r.code, r.stdout).toBe(2); // inside the lead time of its (one-minute) maxAge
    expect(JSON.parse(r.stdout).secrets).toMatchObject([{ secret: 'anthropic', env: 'prod', state: 'expiring' }]);
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], TWO)).code).toBe(0);

    r = await cli(['schedule', 'install', 'systemd']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(f.um.show('rekey-rotate.timer', 'UnitFileState')).toBe('enabled');
    expect(f.um.show('rekey-rotate.timer', 'ActiveState')).toBe('active');
    const unitText = readFileSync(join(f.um.unitDir, 'rekey-rotate.service'), 'utf8');
    expect(unitText).toMatch(/^Type=oneshot$/m);
    expect(unitText).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unitText).not.toContain(TWO);

    // what the timer would start, now: oneshot, so `start` returns when the run has ended
    const before = existsSync(metrics) ? readFileSync(metrics, 'utf8') : '';
    expect(await runTimerService(f)).toEqual({ result: 'success', status: '0' });
    expect(readFileSync(f.envFile, 'utf8')).toContain(`ANTHROPIC_API_KEY=${TWO}`);
    await f.waitGatewayReady();
    f.fake.deny(ONE);
    const seen = f.fake.seenKeys.length;
    const turn = await f.agentTurn();
    expect(turn.code, turn.stdout + turn.stderr).toBe(0);
    expect(f.fake.seenKeys.slice(seen).every((k) => k === TWO)).toBe(true);

    const text = readFileSync(metrics, 'utf8');
    expect(text).not.toBe(before);
    expect(text).toMatch(/^rekey_rotations_total\{outcome="promoted"\} 2$/m);
    expect(text).toMatch(/^rekey_last_run_exit_code\{command="rotate --due"\} 0$/m);
    expect(text).not.toContain(TWO);
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);

    r = await cli(['schedule', 'status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    // the real timer may also have fired (an hour boundary): its run is then the last one
    expect(JSON.parse(r.stdout)).toMatchObject({ installed: true, lastResult: 'success', lastRotation: { secret: 'anthropic' } });
  }, 600_000);

  test('the timer\'s run while a human holds the lock exits cleanly: skipped, locked; nothing changed', async () => {
    expect((await cli(['put', 'anthropic', '--env', 'prod', '--stdin'], THREE)).code).toBe(0);
    const held = await createFileLockManager(join(f.rekeyHome, 'locks'), () => new Date()).acquire('anthropic', { rotationId: 'a-human', command: 'rotate' });
    try {
      // exit 3 (something due was not rotated) is a SuccessExitStatus: the unit does not fail
      expect(await runTimerService(f)).toEqual({ result: 'success', status: '3' });
    } finally {
      await held.release();
    }
    expect(readFileSync(f.envFile, 'utf8')).not.toContain(THREE);
    expect(readFileSync(metrics, 'utf8')).toMatch(/^rekey_last_run_exit_code\{command="rotate --due"\} 3$/m);
    const r = await cli(['rotate', '--due', '--dry-run', '--json']);
    expect(JSON.parse(r.stdout).items).toMatchObject([{ secret: 'anthropic', outcome: 'would-rotate' }]);
    expect(f.um.mainPid(UNIT)).toBeGreaterThan(0);
  }, 300_000);
});
