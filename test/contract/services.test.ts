import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLaunchdService, parseLaunchctlPrint } from '../../providers/services/launchd.js';
import { renderLaunchdPlist } from '../../providers/services/render-units.js';
import { createSystemdUserService } from '../../providers/services/systemd-user.js';
import { createExec } from '../../src/io/exec.js';
import { systemClock } from '../../src/io/system-clock.js';
import { createFakeLaunchctl } from '../harness/fake-launchctl.js';
import { startUserManager, type UserManager } from '../harness/systemd-user.js';
import { serviceManagerContract } from './service-manager.contract.js';

const sig = () => new AbortController().signal;
const fixture = (n: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'launchd', n), 'utf8');

let um: UserManager;
beforeAll(async () => {
  um = await startUserManager(mkdtempSync(join(tmpdir(), 'rekey-svc-')));
});
afterAll(async () => {
  await um?.stop();
});

let n = 0;
serviceManagerContract('systemd-user (real user manager)', async () => {
  const unit = `contract-${++n}.service`;
  const failing = `contract-fail-${n}.service`;
  um.writeUnit(unit, `[Service]\nEnvironment=REKEY_CONTRACT=yes "SPACED=a b"\nExecStart=/bin/sleep infinity\n`);
  um.writeUnit(failing, `[Service]\nExecStart=/bin/false\nRestart=no\n`);
  um.systemctl('daemon-reload');
  um.systemctl('start', unit);
  return {
    svc: createSystemdUserService({ exec: createExec(), clock: systemClock, env: um.env }),
    unit,
    argv: ['/bin/sleep', 'infinity'],
    env: { REKEY_CONTRACT: 'yes', SPACED: 'a b' },
    failing,
    unknown: 'no-such-unit.service',
    pid: async (u) => um.mainPid(u) || null,
  };
});

serviceManagerContract('launchd (fake launchctl: launchd cannot run on Linux)', async () => {
  const fake = createFakeLaunchctl(501);
  const plists = new Map<string, string>();
  const argv = ['/usr/local/bin/node', '/opt/rekey/main.js', 'exec', '--agent', 'main', '--env', 'prod', '--', '/usr/local/bin/openclaw', 'gateway', 'run'];
  plists.set('/Users/op/Library/LaunchAgents/ai.openclaw.gateway.plist', renderLaunchdPlist({ label: 'ai.openclaw.gateway', argv, env: { PATH: '/usr/bin:/bin', REKEY_HOME: '/Users/op/.rekey' } }));
  fake.jobs.set('ai.openclaw.gateway', { plist: '', pid: 4242, runs: 1 });
  fake.jobs.set('ai.openclaw.broken', { plist: '', pid: null, runs: 1, failsWith: 78 });
  return {
    svc: createLaunchdService({ exec: fake.exec, clock: systemClock, uid: 501, home: '/Users/op', readFile: async (p) => plists.get(p) ?? null }),
    unit: 'ai.openclaw.gateway',
    argv,
    env: { PATH: '/usr/bin:/bin', REKEY_HOME: '/Users/op/.rekey' },
    failing: 'ai.openclaw.broken',
    unknown: 'ai.openclaw.nope',
    pid: async (label) => fake.jobs.get(label)?.pid ?? null,
  };
});

describe('launchd adapter: command lines and launchctl output', () => {
  test('restart is exactly `launchctl kickstart -k gui/<uid>/<label>`, then `launchctl print` polls', async () => {
    const fake = createFakeLaunchctl(501);
    fake.jobs.set('ai.openclaw.gateway', { plist: '', pid: 10, runs: 1 });
    const svc = createLaunchdService({ exec: fake.exec, clock: systemClock, uid: 501, home: '/Users/op', readFile: async () => null });
    await svc.restart('ai.openclaw.gateway', sig(), { settleMs: 0 });
    expect(fake.calls[0]).toEqual(['launchctl', 'print', 'gui/501/ai.openclaw.gateway']);
    expect(fake.calls[1]).toEqual(['launchctl', 'kickstart', '-k', 'gui/501/ai.openclaw.gateway']);
    expect(fake.calls.slice(2).every((c) => c.join(' ') === 'launchctl print gui/501/ai.openclaw.gateway')).toBe(true);
  });

  test('the user domain when the policy says so', async () => {
    const fake = createFakeLaunchctl(501);
    fake.jobs.set('x', { plist: '', pid: 10, runs: 1 });
    const svc = createLaunchdService({ exec: fake.exec, clock: systemClock, uid: 501, home: '/h', domain: () => 'user', readFile: async () => null });
    expect(await svc.isActive('x', sig())).toBe(true);
    expect(fake.calls[0]).toEqual(['launchctl', 'print', 'user/501/x']);
  });

  test('parses state, pid and last exit status at the job level only (not nested blocks)', () => {
    expect(parseLaunchctlPrint(fixture('print-running.txt'))).toEqual({ state: 'running', pid: 4242 });
    expect(parseLaunchctlPrint(fixture('print-exited.txt'))).toEqual({ state: 'not running', lastExitStatus: 1 });
    expect(parseLaunchctlPrint(fixture('print-not-found.txt'))).toEqual({});
  });

  test('pre-flight: an env file the job never reads is refused; OpenClaw\'s service-env file is accepted', async () => {
    const fake = createFakeLaunchctl(501);
    fake.jobs.set('ai.openclaw.gateway', { plist: '', pid: 10, runs: 1 });
    const plist = renderLaunchdPlist({ label: 'ai.openclaw.gateway', argv: ['/bin/sh', '/Users/op/.openclaw/wrapper.sh'], env: {} });
    const svc = createLaunchdService({ exec: fake.exec, clock: systemClock, uid: 501, home: '/Users/op', readFile: async () => plist });
    await expect(svc.preflight('ai.openclaw.gateway', ['/Users/op/.openclaw/.env'], sig())).rejects.toMatchObject({ code: 'SINK_NOT_READ_BY_SERVICE' });
    await svc.preflight('ai.openclaw.gateway', ['/Users/op/.openclaw/service-env/ai.openclaw.gateway.env'], sig());
  });
});

describe('a rendered systemd unit, run by the real user manager', () => {
  test('the process gets ExecStart= word for word (spaces, quotes, backslashes, % and $) and the Environment=', async () => {
    const { renderSystemdUnit } = await import('../../providers/services/render-units.js');
    const out = join(um.home, 'argv.json');
    const script = `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify([process.argv.slice(1), process.env.X]))`;
    const words = ['a b', '100%', '$HOME', '${HOME}', 'q"uote', 'back\\slash', "it's", '%n'];
    um.writeUnit('rendered.service', renderSystemdUnit({ label: 'rendered', argv: [process.execPath, '-e', script, '--', ...words], env: { X: 'y z $HOME 5%' } }));
    um.systemctl('daemon-reload');
    expect(um.systemctl('start', 'rendered.service').code).toBe(0);
    for (let i = 0; i < 50 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 100));
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([words, 'y z $HOME 5%']);
  });
});

describe('systemd-user: one look at a unit\'s configuration per run', () => {
  test('the pre-flight, start command and environment share one `systemctl show`; the running state is asked every time; a restart forgets', async () => {
    const { createMemoExec } = await import('../../src/io/memo-exec.js');
    const unit = 'memo-look.service';
    const file = join(um.home, 'memo-look.env');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'FROM_FILE=1\n', { mode: 0o600 });
    um.writeUnit(unit, `[Service]\nEnvironment=INLINE=yes\nEnvironmentFile=${file}\nExecStart=/bin/sleep infinity\n`);
    um.systemctl('daemon-reload');
    um.systemctl('start', unit);
    const exec = createMemoExec(createExec());
    const svc = createSystemdUserService({ exec, clock: systemClock, env: um.env });
    await svc.preflight(unit, [file], sig());
    expect(await svc.startCommand(unit, sig())).toEqual(['/bin/sleep', 'infinity']);
    const env = await svc.environment(unit, sig());
    expect(Object.keys(env.vars).sort()).toEqual(['FROM_FILE', 'INLINE']);
    expect(env.files).toEqual([file]);
    expect(exec.stats).toEqual({ ran: 1, reused: 2 });
    // the running state: never from memory (a restart's wait polls it)
    expect(await svc.isActive(unit, sig())).toBe(true);
    expect(await svc.isActive(unit, sig())).toBe(true);
    expect(exec.stats).toEqual({ ran: 1, reused: 2 });
    // a restart is a change: the next look runs again and sees an edited unit
    um.writeUnit(unit, `[Service]\nEnvironment=INLINE=no OTHER=1\nEnvironmentFile=${file}\nExecStart=/bin/sleep 3600\n`);
    um.systemctl('daemon-reload');
    await svc.restart(unit, sig(), { settleMs: 100 });
    expect(await svc.startCommand(unit, sig())).toEqual(['/bin/sleep', '3600']);
    expect(Object.keys((await svc.environment(unit, sig())).vars).sort()).toEqual(['FROM_FILE', 'INLINE', 'OTHER']);
    expect(exec.stats).toEqual({ ran: 2, reused: 3 });
  });
});
