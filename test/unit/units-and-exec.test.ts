import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parsePlist, renderPlist } from '../../providers/services/plist.js';
import { renderLaunchdPlist, renderSystemdUnit } from '../../providers/services/render-units.js';
import { parseExecStartArgv, splitEnvironmentProperty } from '../../providers/services/systemd-user.js';
import { startsThroughRekeyExec } from '../../src/usecases/preflight.js';
import { rekeyAsync } from '../harness/rekey-cli.js';
import { anthropicPolicy } from '../harness/light-policy.js';

describe('plist rendering', () => {
  test('any strings round-trip through render → parse (XML specials, unicode, empty)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 6 }), fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (args, env) => {
        const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/\r/g, '');
        const a = args.map(clean);
        const e = Object.fromEntries(Object.entries(env).map(([k, v]) => [clean(k) || 'k', clean(v)]));
        const doc = parsePlist(renderPlist({ Label: 'x', ProgramArguments: a, EnvironmentVariables: e, RunAtLoad: true }));
        expect(doc.ProgramArguments).toEqual(a.map((s) => (s.trim() === '' ? '' : s)).map((s, i) => (a[i]!.trim() === '' ? '' : s)));
        expect(doc.RunAtLoad).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('a LaunchAgent for rekey exec: Label, ProgramArguments, KeepAlive, logs; a binary plist is refused', () => {
    const xml = renderLaunchdPlist({ label: 'ai.openclaw.gateway', argv: ['/n', 'main.js', 'exec', '--', 'openclaw', 'gateway', 'run'], env: { PATH: '/usr/bin' }, logDir: '/L' });
    const doc = parsePlist(xml);
    expect(doc).toMatchObject({ Label: 'ai.openclaw.gateway', KeepAlive: true, RunAtLoad: true, StandardErrorPath: '/L/ai.openclaw.gateway.err.log', EnvironmentVariables: { PATH: '/usr/bin' } });
    expect(xml).toContain('<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"');
    expect(() => parsePlist('bplist00…')).toThrow(/plutil -convert xml1/);
  });
});

describe('systemd unit rendering', () => {
  test('ExecStart= words survive systemd quoting: spaces, quotes, backslashes, % and $', () => {
    const argv = ['/usr/bin/node', '/opt/re key/main.js', 'exec', '--', 'sh', '-c', 'echo "$HOME" 100% \\n'];
    const unit = renderSystemdUnit({ label: 'OpenClaw Gateway', argv, env: { REKEY_HOME: '/var/lib/rekey' } });
    expect(unit).toContain('ExecStart="/usr/bin/node" "/opt/re key/main.js"');
    expect(unit).toContain('100%%');
    expect(unit).toContain('$$HOME');
    expect(() => renderSystemdUnit({ label: 'x', argv: ['a\nb'], env: {} })).toThrow(/newline/);
  });

  test('systemctl show ExecStart= parsing', () => {
    const prop = '{ path=/usr/bin/node ; argv[]=/usr/bin/node /x/main.js exec --agent main --env prod -- /bin/sleep infinity ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }';
    expect(parseExecStartArgv(prop)).toEqual(['/usr/bin/node', '/x/main.js', 'exec', '--agent', 'main', '--env', 'prod', '--', '/bin/sleep', 'infinity']);
    expect(parseExecStartArgv('')).toEqual([]);
    expect(splitEnvironmentProperty('A=1 "B=x y"')).toEqual(['A=1', 'B=x y']);
  });
});

describe('startsThroughRekeyExec', () => {
  const base = ['/n', '/x/main.js', 'exec', '--policy', '/p.yaml', '--agent', 'main', '--env', 'prod', '--', 'openclaw', 'gateway'];
  test.each([
    [base, true],
    [['/n', 'main.js', 'exec', '--agent=main', '-e', 'prod', '--', 'x'], true],
    [base.map((w) => (w === 'prod' ? 'staging' : w)), false],
    [base.filter((w) => w !== '--'), false],
    [['/n', 'main.js', 'exec', '--agent', 'main', '--env', 'prod', '--'], false],
    [['/usr/bin/openclaw', 'gateway', 'run'], false],
  ])('%j → %s', (argv, ok) => expect(startsThroughRekeyExec(argv, 'main', 'prod')).toBe(ok));
});

describe('rekey exec and rekey service render (CLI, env-file deliveries)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-exec-'));
  const envFile = join(dir, 'gateway.env');
  const policy = join(dir, 'policy.yaml');
  writeFileSync(envFile, 'ANTHROPIC_API_KEY=sk-exec-value-0000000000000001\n', { mode: 0o600 });
  writeFileSync(
    policy,
    anthropicPolicy({ services: ` { gw: { kind: systemd-user, unit: openclaw-gateway.service } }`, deliveries: `      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: "${envFile}" }, service: gw, verify: { kind: none, reason: exec test only } }` }),
  );
  const env = { HOME: dir, REKEY_HOME: join(dir, 'state'), PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const cli = (args: string[]) => rekeyAsync(['--policy', policy, ...args], env);

  test('the command gets the credential in its environment and rekey exits with its exit code', async () => {
    const r = await rekeyAsync(['exec', '--policy', policy, '--agent', 'main', '--env', 'prod', '--', process.execPath, '-e', 'process.stdout.write(process.env.ANTHROPIC_API_KEY.slice(-4)); process.exit(7)'], env);
    expect(r.stdout).toBe('0001');
    expect(r.code).toBe(7);
  });

  test('a command killed by a signal is reported as 128 + the signal number; SIGTERM to rekey reaches the command', async () => {
    const r = await rekeyAsync(['exec', '--policy', policy, '--agent', 'main', '--env', 'prod', '--', '/bin/sh', '-c', 'kill -TERM $PPID; sleep 5; echo not-reached'], env);
    expect(r.stdout).not.toContain('not-reached');
    expect(r.code).toBe(143);
  });

  test('a missing credential refuses to start the command (exit 3); unknown agent exit 2; a command not found exit 127', async () => {
    writeFileSync(envFile, 'OTHER=1\n', { mode: 0o600 });
    let r = await cli(['exec', '--agent', 'main', '--env', 'prod', '--', '/bin/echo', 'started']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).not.toContain('started');
    expect(r.stderr).toMatch(/holds no value for ANTHROPIC_API_KEY/);
    r = await cli(['exec', '--agent', 'nobody', '--env', 'prod', '--', '/bin/true']);
    expect(r.code).toBe(2);
    writeFileSync(envFile, 'ANTHROPIC_API_KEY=sk-exec-value-0000000000000001\n', { mode: 0o600 });
    r = await cli(['exec', '--agent', 'main', '--env', 'prod', '--', join(dir, 'no-such-command')]);
    expect(r.code).toBe(127);
  });

  test('service render launchd --out writes a 0600 plist whose ProgramArguments go through rekey exec', async () => {
    const out = join(dir, 'ai.openclaw.gateway.plist');
    const r = await cli(['service', 'render', 'launchd', '--agent', 'main', '--env', 'prod', '--out', out, '--', '/usr/local/bin/openclaw', 'gateway', 'run']);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const doc = parsePlist(readFileSync(out, 'utf8'));
    const argv = doc.ProgramArguments as string[];
    expect(startsThroughRekeyExec(argv, 'main', 'prod')).toBe(true);
    expect(argv.slice(-3)).toEqual(['/usr/local/bin/openclaw', 'gateway', 'run']);
    expect(argv).toContain(policy);
    expect(readFileSync(out, 'utf8')).not.toContain('sk-exec-value');
    chmodSync(out, 0o600);
    const unit = await cli(['service', 'render', 'systemd', '--agent', 'main', '--env', 'prod', '--', '/usr/bin/openclaw', 'gateway', 'run']);
    expect(unit.stdout).toMatch(/^ExecStart=".*" "exec" "--policy" ".*" "--agent" "main" "--env" "prod" "--" "\/usr\/bin\/openclaw" "gateway" "run"$/m);
  });

  test('schedule render and agent render: each manager\'s files (JSON), the text as printed; an unknown manager is a usage error naming both', async () => {
    const sched = { systemd: ['rekey-rotate.service', 'rekey-rotate.timer'], launchd: ['dev.rekey.rotate.plist'] };
    const agent = { systemd: ['rekey-agent.service', 'rekey-agent.timer'], launchd: ['dev.rekey.agent.plist'] };
    for (const m of ['systemd', 'launchd'] as const) {
      for (const [words, names] of [[['schedule', 'render'], sched[m]], [['agent', 'render'], agent[m]]] as const) {
        const j = await cli([...words, m, '--json']);
        expect(j.code, j.stderr).toBe(0);
        const out = JSON.parse(j.stdout) as { manager: string; files: Record<string, string> };
        expect(out.manager).toBe(m);
        expect(Object.keys(out.files)).toEqual(names);
        // the command the timer runs names the policy (the .service, or the plist)
        expect(Object.values(out.files).filter((text) => text.includes(policy))).toHaveLength(1);
        const human = await cli([...words, m]);
        expect(human.stdout).toBe(names.length === 1 ? out.files[names[0]!] : names.map((n) => `# ${n}\n${out.files[n]}`).join('\n'));
      }
    }
    for (const bad of ['upstart', 'toString', '__proto__']) {
      for (const args of [['schedule', 'render', bad], ['agent', 'render', bad], ['service', 'render', bad, '--agent', 'main', '--env', 'prod', '--', '/bin/true']]) {
        const r = await cli(args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/systemd or launchd, not "/);
      }
    }
    const none = await cli(['service', 'render', '--agent', 'main', '--env', 'prod', '--', '/bin/true']);
    expect(none.code).toBe(2);
  });
});
