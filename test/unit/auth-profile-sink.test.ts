import { describe, expect, test } from 'vitest';
import { createOpenclawAuthProfileSink } from '../../providers/sinks/openclaw-auth-profile.js';
import type { Exec, ExecOptions } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { envFileTarget } from '../harness/targets.js';
import { createMemoExec } from '../../src/io/memo-exec.js';

/**
 * A scripted stand-in for the three `openclaw models auth` commands the sink uses (list --json,
 * logout <id> --yes, paste-api-key reading stdin), keeping profiles per agent, recording argv and
 * stdin. The real CLI is exercised in test/integration/auth-profile-rotation.test.ts; this covers
 * the snapshot/restore paths that need a failed rotation to reach.
 */
function fakeOpenclaw() {
  const store = new Map<string, Map<string, string>>();
  const calls: { argv: string[]; stdin?: string }[] = [];
  const exec: Exec = {
    async run(argv: readonly string[], opts: ExecOptions = {}) {
      calls.push({ argv: [...argv], ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}) });
      const args = argv.slice(1);
      const agent = args[args.indexOf('--agent') + 1]!;
      const profiles = store.get(agent) ?? new Map<string, string>();
      store.set(agent, profiles);
      const ok = (stdout = '') => ({ code: 0, signal: null, stdout, stderr: '', timedOut: false });
      if (args[2] === 'list') return ok(JSON.stringify({ agentId: agent, profiles: [...profiles.keys()].map((id) => ({ id, provider: id.split(':')[0] })) }));
      if (args[2] === 'logout') return profiles.delete(args[3]!) ? ok() : { code: 1, signal: null, stdout: '', stderr: 'no such profile', timedOut: false };
      if (args[2] === 'paste-api-key') {
        profiles.set(args[args.indexOf('--profile-id') + 1]!, opts.stdin ?? '');
        return ok('Auth profile saved');
      }
      return { code: 2, signal: null, stdout: '', stderr: 'unknown', timedOut: false };
    },
  };
  return { exec, store, calls };
}

const sig = () => new AbortController().signal;
const target = envFileTarget('/nowhere', { sink: { kind: 'openclaw-auth-profile', profileId: 'anthropic:rekey', agent: 'work', command: ['openclaw'], timeoutMs: 1000 } });
const OLD = SecretValue.of('sk-ant-profile-old-000000000000001');
const NEW = SecretValue.of('sk-ant-profile-new-000000000000002');

describe('openclaw-auth-profile sink (scripted CLI)', () => {
  test('write logs the profile out first, then pastes the key on stdin (never argv), for the right agent', async () => {
    const oc = fakeOpenclaw();
    oc.store.set('work', new Map([['anthropic:rekey', OLD.reveal()]]));
    const sink = createOpenclawAuthProfileSink({ exec: oc.exec, baseEnv: {} });
    await sink.write(target, NEW, sig());
    const verbs = oc.calls.map((c) => c.argv.slice(1, 4).join(' '));
    expect(verbs).toEqual(['models auth list', 'models auth logout', 'models auth paste-api-key']);
    expect(oc.calls.every((c) => c.argv.includes('--agent') && c.argv[c.argv.indexOf('--agent') + 1] === 'work')).toBe(true);
    expect(oc.calls.at(-1)!.stdin).toBe(NEW.reveal());
    expect(oc.calls.flatMap((c) => c.argv).join(' ')).not.toContain('sk-ant');
    expect(oc.store.get('work')!.get('anthropic:rekey')).toBe(NEW.reveal());
  });

  test('restore re-pastes the previous value the snapshot was given; a profile that did not exist is logged out', async () => {
    const oc = fakeOpenclaw();
    oc.store.set('work', new Map([['anthropic:rekey', OLD.reveal()]]));
    const sink = createOpenclawAuthProfileSink({ exec: oc.exec, baseEnv: {} });
    const snap = await sink.snapshot(target, sig(), OLD);
    expect(JSON.stringify(snap)).not.toContain('sk-ant');
    await sink.write(target, NEW, sig());
    expect((await sink.restore(target, snap, sig())).changed).toBe(true);
    expect(oc.store.get('work')!.get('anthropic:rekey')).toBe(OLD.reveal());

    oc.store.set('work', new Map());
    const none = await sink.snapshot(target, sig(), null);
    await sink.write(target, NEW, sig());
    expect((await sink.restore(target, none, sig())).changed).toBe(true);
    expect(oc.store.get('work')!.has('anthropic:rekey')).toBe(false);
    expect((await sink.restore(target, none, sig())).changed).toBe(false);
  });

  test('a stored profile rekey has no previous value for cannot be snapshotted (nothing to restore it with)', async () => {
    const oc = fakeOpenclaw();
    oc.store.set('work', new Map([['anthropic:rekey', 'sk-ant-unknown-origin-0000000003']]));
    const sink = createOpenclawAuthProfileSink({ exec: oc.exec, baseEnv: {} });
    await expect(sink.snapshot(target, sig(), null)).rejects.toMatchObject({ code: 'AUTH_PROFILE_UNKNOWN_VALUE' });
  });

  test('a failing paste names the profile and the fingerprint, never the key', async () => {
    const oc = fakeOpenclaw();
    const base = oc.exec.run.bind(oc.exec);
    oc.exec.run = async (argv, opts) => (argv.includes('paste-api-key') ? { code: 1, signal: null, stdout: '', stderr: `rejected ${opts?.stdin}`, timedOut: false } : base(argv, opts));
    const sink = createOpenclawAuthProfileSink({ exec: oc.exec, baseEnv: {} });
    const err = (await sink.write(target, NEW, sig()).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/paste-api-key for anthropic:rekey \(agent work\) failed \(exit 1\): rejected sk-a…0002#/);
    expect(err.message).not.toContain(NEW.reveal());
  });
});

describe('one run answers identical read-only openclaw calls once (io/memo-exec)', () => {
  test('check, snapshot and the write share one `models auth list`; after the paste the list runs again and sees it', async () => {
    const oc = fakeOpenclaw();
    oc.store.set('work', new Map([['anthropic:rekey', OLD.reveal()]]));
    const exec = createMemoExec(oc.exec);
    const sink = createOpenclawAuthProfileSink({ exec, baseEnv: {} });
    await sink.check(target, sig());
    const snap = await sink.snapshot(target, sig(), OLD);
    await sink.write(target, NEW, sig());
    expect(oc.calls.map((c) => c.argv[3])).toEqual(['list', 'logout', 'paste-api-key']);
    expect(exec.stats).toEqual({ reused: 2, ran: 1 });
    // the logout and paste were changes: the next list is run, not remembered
    oc.store.get('work')!.delete('anthropic:rekey');
    expect((await sink.restore(target, snap, sig())).changed).toBe(true);
    expect(oc.calls.map((c) => c.argv[3])).toEqual(['list', 'logout', 'paste-api-key', 'list', 'paste-api-key']);
    expect(oc.store.get('work')!.get('anthropic:rekey')).toBe(OLD.reveal());
  });

  test('a different environment, agent or stdin is another call; a failed read is not remembered; forget() drops all', async () => {
    let n = 0;
    let code = 0;
    const exec = createMemoExec({
      async run() {
        n++;
        return { code, signal: null, stdout: String(n), stderr: '', timedOut: false };
      },
    });
    const read = (env: Record<string, string>, args = ['models', 'status', '--json']) => exec.run(['openclaw', ...args], { env, reuse: 'read' });
    expect((await read({ A: '1' })).stdout).toBe('1');
    expect((await read({ A: '1' })).stdout).toBe('1');
    expect((await read({ A: '2' })).stdout).toBe('2');
    expect((await read({ A: '1' }, ['models', 'status', '--json', '--agent', 'x'])).stdout).toBe('3');
    // a call in flight is shared
    const [a, b] = await Promise.all([read({ B: '1' }), read({ B: '1' })]);
    expect([a.stdout, b.stdout]).toEqual(['4', '4']);
    code = 1;
    expect((await read({ C: '1' })).stdout).toBe('5');
    expect((await read({ C: '1' })).stdout).toBe('6');
    code = 0;
    exec.forget();
    expect((await read({ A: '1' })).stdout).toBe('7');
    // a change forgets too; a plain call (no reuse) neither reads nor forgets
    await exec.run(['systemctl', '--user', 'show', 'x']);
    expect((await read({ A: '1' })).stdout).toBe('7');
    await exec.run(['systemctl', '--user', 'restart', 'x'], { reuse: 'change' });
    expect((await read({ A: '1' })).stdout).toBe('10');
  });
});
