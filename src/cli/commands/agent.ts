import { ExitCode } from '../../core/exit-codes.js';
import { UsageError } from '../../core/errors.js';
import { defineCommand } from './define.js';
import { loadPolicy } from './context.js';
import { parseDuration } from './rotate.js';
import { managerOf, scheduleSpec } from './schedule-spec.js';

export const agent = defineCommand({
  words: 'agent',
  usage: '[--dry-run]',
  summary: "one pass of this host's part in fleet rotation: deliver an open wave's pending version, restart, verify, acknowledge; after an abort or a missed promote, back to the current version",
  example: 'REKEY_HOSTNAME=gw-1 rekey agent --json',
  options: {
    'dry-run': { type: 'boolean', help: 'say what this pass would do; nothing written, no acknowledgement' },
  },
  stateful: true,
  async run(c, opts) {
    if (c.a.positionals.length) throw new UsageError('BAD_ARGUMENTS', `rekey agent takes no arguments (got ${c.a.positionals.join(' ')})`, { hint: 'rekey agent render systemd prints its timer' });
    const { runAgent } = await import('../../usecases/fleet/agent.js');
    const policy = await loadPolicy(c.a.global.policy, c.io.env.HOME);
    const deps = c.depsFor(policy);
    await c.ownersOnDisk(policy, deps);
    const r = await runAgent(policy, { dryRun: opts['dry-run'] === true }, deps);
    const lines = r.items.map((i) => `  ${i.secret}${i.rollout ? ` (rollout ${i.seq})` : ''}: ${i.action} — ${i.detail}\n`).join('');
    c.out(`${r.dryRun ? 'dry run: ' : ''}fleet agent on ${r.host}\n${r.resumed.map((x) => `  resumed ${x}\n`).join('')}${lines}`, r);
    return r.exitCode;
  },
});

export const agentRender = defineCommand({
  words: 'agent render',
  usage: 'systemd|launchd [--every 30s]',
  summary: 'print the timer that runs `rekey agent` every N seconds (systemd: service + timer; launchd: a LaunchAgent plist)',
  example: 'rekey agent render systemd --every 30s',
  options: {
    every: { type: 'string', value: 'D', help: 'how often a pass runs (default 30s; at least 5s)' },
  },
  stateful: false,
  async run(c, opts) {
    const m = await managerOf(c.a.positionals[0], 'the agent');
    const every = Math.round(parseDuration('every', opts.every, 30_000) / 1000);
    if (every < 5) throw new UsageError('BAD_ARGUMENTS', '--every: at least 5s (a pass reads the backend once per secret and host)');
    const { printFiles } = await import('../../../providers/services/host-managers.js');
    const policy = await loadPolicy(c.a.global.policy, c.io.env.HOME);
    const files = m.agentFiles(await scheduleSpec(c, policy, ['agent']), every, c.io.env.HOME);
    c.out(printFiles(files), { manager: m.word, files: Object.fromEntries(files.map((f) => [f.name, f.text])) });
    return ExitCode.ok;
  },
});
