/**
 * The source lookup (providers/openclaw/sources.ts) through one run's memo: it asks about the
 * OpenClaw agent the verifier names (verify.agent), not the policy's agent name. A profile
 * delivery makes the very call the auth-profile sink makes (`models auth list`); any other delivery
 * reads the profiles the agent would use from `models status --json` (a quarter of the time), so
 * targets of one agent and state dir cost one call per run. A scripted exec records every call.
 */
import { describe, expect, test } from 'vitest';
import { observeSources } from '../../providers/openclaw/sources.js';
import { catalog } from '../../providers/registry.js';
import type { Exec, ExecOptions } from '../../src/core/ports.js';
import { createMemoExec } from '../../src/io/memo-exec.js';
import { envFileTarget } from '../harness/targets.js';
import { SecretValue } from '../../src/core/secret-value.js';
import { createOpenclawModelsStatusVerifier } from '../../providers/verifiers/openclaw-models-status.js';

function scripted() {
  const calls: string[][] = [];
  const timeouts: (number | undefined)[] = [];
  const exec: Exec = {
    async run(argv: readonly string[], opts: ExecOptions = {}) {
      calls.push([...argv]);
      timeouts.push(opts.timeoutMs);
      const agent = argv[argv.indexOf('--agent') + 1];
      if (argv[1] === 'models' && argv[2] === 'status') {
        // an agent without profiles of its own uses main's: models status shows those
        const providers = [
          { provider: 'anthropic', effective: { kind: 'profiles' }, profiles: { count: 1, labels: ['anthropic:stale=sk-a...aaaa'] } },
          { provider: 'openai', effective: { kind: 'profiles' }, profiles: { count: 1, labels: ['openai:x=sk-p...bbbb [cooldown 1m]'] } },
        ];
        return { code: 0, signal: null, stdout: JSON.stringify({ auth: { providers } }), stderr: '', timedOut: false };
      }
      const profiles = agent === 'main' ? [{ id: 'anthropic:stale', provider: 'anthropic' }, { id: 'openai:x', provider: 'openai' }] : [];
      return { code: 0, signal: null, stdout: JSON.stringify({ agentId: agent, profiles }), stderr: '', timedOut: false };
    },
  };
  return { exec, calls, timeouts };
}

const verify = { kind: 'openclaw-models-status', command: ['openclaw'], agent: 'main', timeoutMs: 1000, aliveMs: 0 } as const;
const target = (agent: string) => envFileTarget('/nowhere/agent.env', { id: `anthropic/prod/${agent}#0`, agent, verify: verify as never });

describe('source lookup', () => {
  test('asks about the verifier\'s OpenClaw agent; ten policy agents of one OpenClaw agent cost one `models status` in a run', async () => {
    const oc = scripted();
    const exec = createMemoExec(oc.exec);
    const deps = { exec, baseEnv: { HOME: '/home/op' }, home: '/home/op', service: () => { throw new Error('no service in this test'); }, adapters: catalog };
    const signal = new AbortController().signal;
    const seen = await Promise.all(Array.from({ length: 10 }, (_, i) => observeSources(target(`a${i}`), deps, signal)));
    expect(oc.calls).toEqual([['openclaw', 'models', 'status', '--json', '--check', '--agent', 'main']]);
    expect(exec.stats).toEqual({ ran: 1, reused: 9 });
    // the verifier's bound (verify.timeoutMs), not a fixed one: the verifier's baseline may share this call
    expect(oc.timeouts).toEqual([1000]);
    // filtered to the target's provider
    for (const s of seen) expect(s.profiles).toEqual([{ agent: 'main', ids: ['anthropic:stale'] }]);
  });

  test('the source lookup and the models-status verifier make one call: same argv, same consumer environment', async () => {
    const oc = scripted();
    const exec = createMemoExec(oc.exec);
    const held = { ANTHROPIC_API_KEY: SecretValue.of('sk-ant-held-000000000000000000000000000000cccc') };
    const consumer = async () => ({ vars: held, process: null, seesProcesses: false });
    const deps = { exec, baseEnv: { HOME: '/home/op' }, home: '/home/op', service: () => { throw new Error('no service'); }, adapters: catalog, consumerEnv: async () => held };
    const signal = new AbortController().signal;
    const t = target('main');
    await observeSources(t, deps, signal);
    const v = createOpenclawModelsStatusVerifier({ exec, adapters: catalog, baseEnv: deps.baseEnv, consumer, probe: async () => ({ accepted: true, detail: '' }) as never, alive: async () => ({ ok: true }) as never });
    await v.verify(t, held.ANTHROPIC_API_KEY, signal);
    expect(oc.calls).toEqual([['openclaw', 'models', 'status', '--json', '--check', '--agent', 'main']]);
    expect(exec.stats).toEqual({ ran: 1, reused: 1 });
    // another consumer environment is another call
    await observeSources(t, { ...deps, consumerEnv: async () => ({}) }, signal);
    expect(oc.calls).toHaveLength(2);
  });

  test('without verify.agent the policy agent is the OpenClaw agent (models status shows the profiles it inherits from main)', async () => {
    const oc = scripted();
    const deps = { exec: createMemoExec(oc.exec), baseEnv: {}, home: '/home/op', service: () => { throw new Error('no service'); }, adapters: catalog };
    const t = envFileTarget('/nowhere/agent.env', { agent: 'work', verify: { ...verify, agent: undefined } as never });
    const s = await observeSources(t, deps, new AbortController().signal);
    expect(oc.calls.map((c) => c.at(-1))).toEqual(['work']);
    expect(s.profiles).toEqual([{ agent: 'work', ids: ['anthropic:stale'] }]);
  });

  test('a stored-profile delivery lists the agent\'s and main\'s stores with `models auth list` (the auth-profile sink\'s own call)', async () => {
    const oc = scripted();
    const deps = { exec: createMemoExec(oc.exec), baseEnv: {}, home: '/home/op', service: () => { throw new Error('no service'); }, adapters: catalog };
    const sink = { kind: 'openclaw-auth-profile', command: ['openclaw'], agent: 'work', profileId: 'anthropic:rekey', timeoutMs: 240_000 };
    const t = envFileTarget('/nowhere/agent.env', { agent: 'work', sink: sink as never, service: null, verify: { ...verify, agent: 'work' } as never });
    const s = await observeSources(t, deps, new AbortController().signal);
    expect(oc.calls.map((c) => c.slice(1, 4).join(' ') + ' ' + c.at(-1))).toEqual(['models auth list work', 'models auth list main']);
    expect(s.profiles).toEqual([{ agent: 'work', ids: [] }, { agent: 'main', ids: ['anthropic:stale'] }]);
    // the sink's bound: the sink's own identical call may be answered by this one
    expect(oc.timeouts).toEqual([240_000, 240_000]);
  });

  test('the unit\'s side (Environment=, EnvironmentFile=, start command) is asked while the openclaw call runs, not after it', async () => {
    let asked!: () => void;
    const unitAsked = new Promise<void>((r) => (asked = r));
    const calls: string[] = [];
    const exec: Exec = {
      async run(argv: readonly string[]) {
        calls.push(argv.slice(1, 3).join(' '));
        // this call ends only once the service manager has been asked: a lookup that asked it after
        // the call would never get here (the race below fails instead of hanging)
        const late = new Promise<'late'>((r) => setTimeout(() => r('late'), 5_000));
        if ((await Promise.race([unitAsked.then(() => 'asked' as const), late])) === 'late') throw new Error('the unit was not asked while openclaw ran');
        return { code: 0, signal: null, stdout: JSON.stringify({ auth: { providers: [] } }), stderr: '', timedOut: false };
      },
    };
    const svc = {
      environment: async () => {
        asked();
        return { vars: { ANTHROPIC_API_KEY: SecretValue.of('inline') }, files: [] };
      },
      startCommand: async () => ['/usr/bin/openclaw', 'gateway', 'run'],
    };
    const t = envFileTarget('/nowhere/agent.env', { agent: 'main', verify: verify as never, service: { kind: 'systemd-user', unit: 'gw.service' } as never });
    const deps = { exec: createMemoExec(exec), baseEnv: {}, home: '/home/op', service: () => svc as never, adapters: catalog };
    const s = await observeSources(t, deps, new AbortController().signal);
    expect(calls).toEqual(['models status']);
    expect(s.processEnv).toEqual([{ where: 'gw.service Environment=', sets: true }]);
    expect(s.injectedByExec).toBe(false);
  });
});
